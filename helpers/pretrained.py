"""The pretrained model shipped with the project (pretrained/), and notebook 05's choice between it and
a learner's own run."""

from __future__ import annotations

import json
from pathlib import Path

from helpers.data import PROJECT_ROOT, sha256_of
from helpers.model import CharRNN
from helpers.rundir import CHECKPOINT_RE, RunDirError, at_epoch, has_trained_model, load_run, read_history
from helpers.vocab import Vocab

PRETRAINED_DIR = PROJECT_ROOT / "pretrained"
PRETRAINED_WEIGHTS = "model.weights.h5"


def restore(run_dir: str | Path, checkpoint: str = "best", gru_impl: str = "auto",
            pretrained: Path = PRETRAINED_DIR) -> tuple[CharRNN, Vocab, str]:
    """The model of ``run_dir``, or the ``pretrained`` one when it has none: the model, its vocabulary, and one line
    saying which weights were loaded."""
    if has_trained_model(run_dir):
        model, vocab = load_run(run_dir, checkpoint, gru_impl)
        epoch = int(CHECKPOINT_RE.match(model.checkpoint.name).group(1))
        val = at_epoch(read_history(run_dir), epoch)
        loss = f", validation loss {val:.3f}" if val is not None else ""
        return model, vocab, f"Loaded {run_dir}, epoch {epoch} ({checkpoint}{loss})."
    model, vocab = load_pretrained(pretrained, gru_impl)
    info = pretrained_info(pretrained)
    return model, vocab, (
        f"{run_dir} holds no trained model yet, so this uses the project's pretrained model "
        f"(pretrained/, epoch {info['epoch']}, validation loss {info['val_loss']:.3f}); train your own with notebook 04."
    )


def run_parameters(run_dir: str | Path, pretrained: Path = PRETRAINED_DIR) -> dict:
    """The parameters the model ``restore`` loads was trained with: ``run_dir``'s, or the pretrained model's."""
    if has_trained_model(run_dir):
        path = Path(run_dir) / "params.json"
        saved = json.loads(path.read_text()) if path.exists() else {}
    else:
        saved = pretrained_info(pretrained)["parameters"]
    return {"DATA_PATH": "", "VAL_FRACTION": 0.1, **saved}  # the notebooks' defaults, for a run that recorded none


def pretrained_info(folder: Path = PRETRAINED_DIR) -> dict:
    return json.loads((folder / "provenance.json").read_text())


def load_pretrained(folder: Path = PRETRAINED_DIR, gru_impl: str = "auto") -> tuple[CharRNN, Vocab]:
    """The committed pretrained model, after checking its weights against the recorded SHA-256."""
    weights = folder / PRETRAINED_WEIGHTS
    if not weights.exists() or not (folder / "provenance.json").exists():
        raise RunDirError(f"{folder} has no pretrained model (missing {PRETRAINED_WEIGHTS} or provenance.json). "
                          f"Restore it with `git checkout pretrained/`, or train one with notebook 04.")
    expected = pretrained_info(folder)["sha256"]
    actual = sha256_of(weights)
    if actual != expected:
        raise RunDirError(f"{weights} is damaged or incomplete (sha256 {actual[:12]}…, expected {expected[:12]}…). "
                          f"Restore it with `git checkout pretrained/`.")
    model, vocab = load_run(folder, weights, gru_impl)
    return model, vocab
