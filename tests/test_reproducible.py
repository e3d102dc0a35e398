"""The same SEED gives the same run: batches, initial weights, losses and samples, in two fresh processes; and 07's
small models start from SEED whatever drew random numbers before."""

import json
import subprocess
import sys

import pytest
from conftest import env_importing_lessons

RUN = """
import hashlib, json, sys
import helpers
helpers.quiet_tensorflow()  # before Keras imports TensorFlow
import keras
from helpers.data import load_text
from helpers.dataset import train_val_datasets
from helpers.generation import generate
from helpers.rundir import save_run
from lessons import compiled_04, fit_04
from helpers.vocab import Vocab

runs = sys.argv[1]
for seed in map(int, sys.argv[2:]):
    keras.utils.set_random_seed(seed)
    text = load_text()[:60_000]
    vocab = Vocab.from_text(text)
    train_ds, val_ds = train_val_datasets(vocab.encode(text), 40, 16, 1000, 0.1, seed, max_batches=4)
    first_batch = next(iter(train_ds))[0].numpy()
    model = compiled_04(vocab, RNN_UNITS=32)
    weights = hashlib.sha256(b"".join(w.tobytes() for w in model.get_weights())).hexdigest()
    run_dir = save_run(f"{runs}/{seed}", model, vocab)
    history = fit_04(model, train_ds, val_ds, 2, run_dir)
    print(json.dumps({"batch": first_batch.tolist(), "weights": weights, "loss": history["loss"],
                      "val_loss": history["val_loss"], "sample": generate(model, vocab, "ROMEO: ", 100, seed=seed)}))
"""


def run(tmp_path, name, *seeds):
    """The runs of these seeds, one after the other in one fresh process."""
    script = tmp_path / "run.py"
    script.write_text(RUN)
    done = subprocess.run([sys.executable, str(script), str(tmp_path / name), *map(str, seeds)],
                          capture_output=True, text=True, timeout=300, env=env_importing_lessons())
    assert done.returncode == 0, done.stderr[-3000:]
    results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert len(results) == len(seeds), done.stdout[-3000:]
    return results


@pytest.mark.end_to_end
def test_same_seed_same_run_other_seed_other_run(corpus_path, tmp_path):
    (first,), (second, other) = run(tmp_path, "a", 7), run(tmp_path, "b", 7, 8)
    assert first == second  # exactly, in two processes: batches, initial weights, every loss, the sample
    assert first["weights"] != other["weights"] and first["batch"] != other["batch"]
    assert first["loss"] != other["loss"] and first["sample"] != other["sample"]


@pytest.mark.slow
def test_07_small_models_start_from_seed_whatever_drew_random_numbers_before(vocab):
    """07's SEED alone decides the two small models' initial weights, not what an earlier cell left in Python's generator
    (Keras draws each layer's initial-weight seed from it as the layer is made)."""
    import random

    import keras
    import numpy as np
    from lessons import run_cells

    from scripts.runner import NOTEBOOK_DIR

    cells = json.loads((NOTEBOOK_DIR / "07_inside_the_gru.ipynb").read_text())["cells"]
    source = next("".join(c["source"]) for c in cells if c["id"] == "3f6c8a1d")  # the cell that makes small_models
    starts, state = [], random.getstate()
    try:
        for earlier in (1, 2):
            random.seed(earlier)
            made = run_cells([source], {"np": np, "keras": keras, "vocab": vocab, "SEED": 42, "TRAIN_STEPS": 50, "SEQ_LENGTH": 10})
            starts.append([w for name in ("plain RNN", "GRU") for w in made["small_models"][name][0].get_weights()])
    finally:
        random.setstate(state)  # the worker's later tests see the generator as they would have
    for first, second in zip(*starts, strict=True):
        np.testing.assert_array_equal(first, second)
