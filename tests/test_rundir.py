import json

import pytest

from helpers.model import build_model
from helpers.rundir import (
    RunDirError, checkpoint_path, load_pretrained, read_history, load_run, restore, save_run,
    save_weights_atomically,
)
from lessons import fit_04


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


def test_checkpoint_that_does_not_fit_is_refused_with_the_reason(tiny, vocab, tmp_path):
    model, train_ds, val_ds = tiny
    save_run(tmp_path, model, vocab)
    fit_04(model, train_ds, val_ds, 1, tmp_path)
    other = tmp_path / "other"
    save_run(other, build_model(len(vocab), 8, 32), vocab)
    with pytest.raises(RunDirError, match="does not fit the model described in .*'rnn_units': 32"):
        load_run(other, checkpoint=checkpoint_path(tmp_path, 1))


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


def test_an_empty_run_dir_falls_back_to_the_pretrained_model_and_says_so(tiny, vocab, ids, tmp_path):
    import helpers.rundir as rundir
    from helpers.dataset import train_val_split
    from helpers.training import carried_state_loss
    from scripts.export_pretrained import export_pretrained
    from scripts.records import commit

    model, train_ds, val_ds = tiny
    text = tmp_path / "text.txt"  # the run's own text, which the held-out measure reads: 60,000 characters, not the corpus
    text.write_text(vocab.decode(ids[:60_000]), encoding="utf-8")
    save_run(tmp_path / "run", model, vocab, {"DATA_PATH": str(text), "VAL_FRACTION": 0.1})
    fit_04(model, train_ds, val_ds, 1, tmp_path / "run")
    info = export_pretrained(tmp_path / "run", "pytest", folder=tmp_path / "pretrained")
    val_ids = train_val_split(ids[:60_000], 0.1)[1]
    assert info["carried_val_loss"] == round(carried_state_loss(load_run(tmp_path / "run", "best")[0], val_ids, 100, 64), 4)
    assert info["epoch"] == 1 and info["parameters_count"] == model.count_params() and info["command"] == "pytest"
    assert (rundir.PROJECT_ROOT / info["run_folder"]).resolve() == (tmp_path / "run").resolve()  # relative inside the project
    assert info["exported"] >= info["best_checkpoint_written"] > "2026"
    assert info["commit"] == commit()  # the commit whose code exported it
    from scripts.quality_row import row

    quality = row("tiny", tmp_path / "run", "pytest")  # the quality table's row of the same run: the same measures
    assert quality["carried_val_loss"] == info["carried_val_loss"] and quality["best_val_loss"] == round(info["val_loss"], 4)
    assert quality["history"] == read_history(tmp_path / "run") and quality["date"] > "2026" and quality["commit"] == commit()
    restored, restored_vocab, message = restore(tmp_path / "empty", pretrained=tmp_path / "pretrained")
    assert message.startswith(f"{tmp_path / 'empty'} holds no trained model yet, so this uses the project's pretrained model "
                              f"(pretrained/, epoch 1, validation loss {info['val_loss']:.3f})")
    x = vocab.encode("ROMEO: ")[None, :]
    assert restored_vocab == vocab and abs(restored(x).numpy() - model(x).numpy()).max() < 1e-6
    weights = tmp_path / "pretrained" / rundir.PRETRAINED_WEIGHTS
    weights.write_bytes(weights.read_bytes()[:-10])
    with pytest.raises(RunDirError, match="is damaged or incomplete .* Restore it with `git checkout pretrained/`"):
        load_pretrained(tmp_path / "pretrained")


def test_the_committed_pretrained_model_loads_and_matches_its_provenance():
    import helpers.rundir as rundir

    if not (rundir.PRETRAINED_DIR / "provenance.json").exists():
        pytest.fail("pretrained/ is missing: run `make pretrained` after training notebook 04")
    model, vocab = load_pretrained()
    info = rundir.pretrained_info()
    assert model.count_params() == info["parameters_count"]
    assert model.config == json.loads((rundir.PRETRAINED_DIR / "model.json").read_text())
    assert len(vocab) == 65
    for key in ("command", "parameters", "machine", "exported", "commit", "epoch", "val_loss", "carried_val_loss", "sha256"):
        assert info.get(key) is not None, f"pretrained/provenance.json has no {key}: `make pretrained` writes it"
    assert info["bytes"] < 20e6 and info["val_loss"] == min(json.loads((rundir.PRETRAINED_DIR / "history.json").read_text())["val_loss"])
