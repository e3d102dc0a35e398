"""scripts/loss_by_position.py: the carried-state loss really carries the state."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from helpers.dataset import make_dataset, train_val_split
from helpers.model import build_model
from helpers.training import compile_model
from scripts.loss_by_position import carried_state_loss


def test_carried_state_loss_does_not_depend_on_the_window_length_and_beats_zero_states(ids, vocab):
    keras.utils.set_random_seed(0)
    train, val = train_val_split(ids[:60_000], 0.1)
    model = compile_model(build_model(len(vocab), 8, 16))
    model.fit(make_dataset(train, 30, 16, 500, seed=0, max_batches=40), epochs=2, verbose=0, shuffle=False)

    carried = carried_state_loss(model, val, seq_length=50, streams=8)
    assert carried_state_loss(model, val, seq_length=200, streams=8) == pytest.approx(carried, rel=1e-6)

    # the same windows of 50, each from a zero state: the blind starts cost something
    length = (len(val) - 1) // 8
    x = np.stack([val[i * length:(i + 1) * length] for i in range(8)])
    y = np.stack([val[i * length + 1:(i + 1) * length + 1] for i in range(8)])
    per_char = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    windowed = np.mean([float(per_char(y[:, s:s + 50], model(x[:, s:s + 50]))) for s in range(0, length - 49, 50)])
    assert windowed > carried + 0.005
