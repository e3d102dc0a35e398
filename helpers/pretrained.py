"""The pretrained model shipped with the project (pretrained/), and notebook 05's choice between it and
a learner's own run."""

from __future__ import annotations

import json
from pathlib import Path

from helpers.data import PROJECT_ROOT, sha256_of
from helpers.messages import message
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
        key = "pretrained.loaded" if val is None else "pretrained.loaded_with_loss"
        return model, vocab, message(key, run_dir=run_dir, epoch=epoch, checkpoint=checkpoint, val_loss=val)
    model, vocab = load_pretrained(pretrained, gru_impl)
    info = pretrained_info(pretrained)
    return model, vocab, message("pretrained.fallback", run_dir=run_dir, epoch=info["epoch"], val_loss=info["val_loss"])


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
        raise RunDirError(message("pretrained.missing", folder=folder, weights=PRETRAINED_WEIGHTS))
    expected = pretrained_info(folder)["sha256"]
    actual = sha256_of(weights)
    if actual != expected:
        raise RunDirError(message("pretrained.damaged", weights=weights, actual=actual[:12], expected=expected[:12]))
    model, vocab = load_run(folder, weights, gru_impl)
    return model, vocab
