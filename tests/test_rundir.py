import json

import pytest

from helpers.model import build_model
from helpers.rundir import (
    RunDirError, checkpoint_path, load_run, save_run,
    save_weights_atomically,
)
from lessons import fit_04

from helpers.pretrained import restore


def test_interrupted_save_leaves_the_previous_checkpoint(tiny, tmp_path, monkeypatch):
    model, _, _ = tiny
    path = tmp_path / "epoch_001.weights.h5"
    save_weights_atomically(model, path)
    before = path.read_bytes()

    def crash(target):
        with open(target, "wb") as f:
            f.write(b"half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(model, "save_weights", crash)
    with pytest.raises(KeyboardInterrupt):
        save_weights_atomically(model, path)
    assert path.read_bytes() == before


def test_load_run_without_training_says_what_to_run(tmp_path):
    with pytest.raises(RunDirError, match="Run notebooks/04_fit.ipynb first, or set RUN_DIR"):
        load_run(tmp_path / "nothing-here")


def test_run_dir_of_another_model_is_refused(tiny, vocab, tmp_path):
    model, _, _ = tiny
    save_run(tmp_path, model, vocab)
    with pytest.raises(RunDirError, match="RNN_UNITS is 16 there, 32 here"):
        save_run(tmp_path, build_model(len(vocab), 8, 32), vocab)


@pytest.mark.slow
def test_checkpoint_that_does_not_fit_is_refused_with_the_reason(tiny, vocab, tmp_path):
    model, train_ds, val_ds = tiny
    save_run(tmp_path, model, vocab)
    fit_04(model, train_ds, val_ds, 1, tmp_path)
    other = tmp_path / "other"
    save_run(other, build_model(len(vocab), 8, 32), vocab)
    with pytest.raises(RunDirError, match="does not fit the model described in .*'rnn_units': 32"):
        load_run(other, checkpoint=checkpoint_path(tmp_path, 1))


@pytest.mark.slow
def test_a_rerun_with_another_learning_rate_is_refused_naming_both_values(tiny, vocab, tmp_path):
    model, train_ds, val_ds = tiny
    params = {"EPOCHS": 1, "LEARNING_RATE": 0.001, "BATCH_SIZE": 16, "RUN_DIR": "a"}
    save_run(tmp_path, model, vocab, params, text="some text")
    fit_04(model, train_ds, val_ds, 1, tmp_path)
    with pytest.raises(RunDirError, match=r"holds a run with other settings \(LEARNING_RATE is 0.001 there, 0.01 here\)\. "
                                          r"Set RUN_DIR to a new folder"):
        save_run(tmp_path, model, vocab, {**params, "LEARNING_RATE": 0.01}, text="some text")
    with pytest.raises(RunDirError, match="BATCH_SIZE is 16 there, 64 here; it was trained on another text"):
        save_run(tmp_path, model, vocab, {**params, "BATCH_SIZE": 64}, text="other text")
    save_run(tmp_path, model, vocab, {**params, "EPOCHS": 3, "RUN_DIR": "b"}, text="some text")  # more epochs: resume
    assert json.loads((tmp_path / "params.json").read_text())["EPOCHS"] == 3


@pytest.mark.slow
def test_load_run_takes_the_best_checkpoint_unless_asked_for_the_latest(tiny, vocab, tmp_path):
    model, train_ds, val_ds = tiny
    save_run(tmp_path, model, vocab)
    fit_04(model, train_ds, val_ds, 2, tmp_path)
    history = json.loads((tmp_path / "history.json").read_text())
    history["val_loss"] = [1.0, 2.0]  # make epoch 1 the best
    (tmp_path / "history.json").write_text(json.dumps(history))
    assert load_run(tmp_path)[0].checkpoint == checkpoint_path(tmp_path, 1)
    assert load_run(tmp_path, "latest")[0].checkpoint == checkpoint_path(tmp_path, 2)
    message = restore(tmp_path)[2]
    assert message == f"Loaded {tmp_path}, epoch 1 (best, validation loss 1.000)."
