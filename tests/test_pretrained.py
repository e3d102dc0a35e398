"""The pretrained model: the one committed, and notebook 05's fallback to it from an empty run folder."""

import json

import pytest
from lessons import fit_04

import helpers.pretrained as pretrained
from helpers.data import PROJECT_ROOT
from helpers.pretrained import load_pretrained, restore
from helpers.rundir import RunDirError, load_run, read_history, save_run


@pytest.mark.slow
def test_an_empty_run_dir_falls_back_to_the_pretrained_model_and_says_so(tiny, vocab, ids, tmp_path):
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
    assert (PROJECT_ROOT / info["run_folder"]).resolve() == (tmp_path / "run").resolve()  # relative inside the project
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
    weights = tmp_path / "pretrained" / pretrained.PRETRAINED_WEIGHTS
    weights.write_bytes(weights.read_bytes()[:-10])
    with pytest.raises(RunDirError, match="is damaged or incomplete .* Restore it with `git checkout pretrained/`"):
        load_pretrained(tmp_path / "pretrained")


@pytest.mark.slow
def test_the_committed_pretrained_model_loads_and_matches_its_provenance():

    if not (pretrained.PRETRAINED_DIR / "provenance.json").exists():
        pytest.fail("pretrained/ is missing: run `make pretrained` after training notebook 04")
    model, vocab = load_pretrained()
    info = pretrained.pretrained_info()
    assert model.count_params() == info["parameters_count"]
    assert model.config == json.loads((pretrained.PRETRAINED_DIR / "model.json").read_text())
    assert len(vocab) == 65
    for key in ("command", "parameters", "machine", "exported", "commit", "epoch", "val_loss", "carried_val_loss", "sha256"):
        assert info.get(key) is not None, f"pretrained/provenance.json has no {key}: `make pretrained` writes it"
    history = json.loads((pretrained.PRETRAINED_DIR / "history.json").read_text())
    assert info["bytes"] < 20e6 and info["val_loss"] == min(history["val_loss"])
