import math

import numpy as np
import pytest

from helpers.baselines import baselines, bigram_loss, unigram_loss, uniform_loss
from helpers.dataset import train_val_split


def test_each_baseline_is_the_mean_negative_log_probability_it_assigns():
    train, val = np.array([0, 1, 0, 1, 0, 1, 2]), np.array([0, 1, 2])
    assert uniform_loss(3) == pytest.approx(math.log(3))
    # unigram, add-one: counts 4, 4, 2 of 10
    assert unigram_loss(train, val, 3) == pytest.approx(-(math.log(0.4) + math.log(0.4) + math.log(0.2)) / 3)
    # bigram, add-one: after 0 came 1 three times -> p(1|0) = 4/6; after 1: 0 twice, 2 once -> p(2|1) = 2/6
    assert bigram_loss(train, val, 3) == pytest.approx(-(math.log(4 / 6) + math.log(2 / 6)) / 2)


def test_on_shakespeare_each_baseline_beats_the_one_before(ids, vocab):
    train, val = train_val_split(ids, 0.1)
    losses = baselines(train, val, len(vocab))
    assert losses["uniform"] > losses["unigram"] > losses["bigram"] > 2.0
