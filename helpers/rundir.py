"""The run directory: what training writes and generation reads (vocabulary, sizes, parameters,
checkpoints, history)."""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

from helpers.data import sha256_of
from helpers.errors import UserError
from helpers.messages import message
from helpers.model import CharRNN, build_model
from helpers.precision import INTERCHANGEABLE, describe_machine
from helpers.vocab import Vocab

CHECKPOINTS = "checkpoints"
CHECKPOINT_RE = re.compile(r"^epoch_(\d+)\.weights\.h5$")
# Parameters that may change between two runs into one folder: they do not alter what is trained.
# Any other difference (LEARNING_RATE, BATCH_SIZE, the text, ...) would make a resumed run another experiment.
RESUMABLE_CHANGES = {"EPOCHS", "RUN_DIR", "GRU_IMPL", "FIT_RUN_DIR"}
_CONFIG_NAMES = {"embedding_dim": "EMBEDDING_DIM", "rnn_units": "RNN_UNITS", "rnn_type": "RNN_TYPE",
                 "num_layers": "NUM_LAYERS", "dropout": "DROPOUT"}  # and vocab_size, the catalogue's "rundir.vocab_size"


class RunDirError(UserError, ValueError):
    """A run directory that is missing, empty, or holds a model of other settings."""


def save_run(run_dir: str | Path, model: CharRNN, vocab: Vocab, params: dict | None = None,
             text: str | None = None) -> Path:
    """Write the vocabulary, the model's sizes, the run's parameters (with the text's SHA-256) and machine into
    ``run_dir``; one that holds another experiment is refused, rather than silently continued."""
    run_dir = Path(run_dir)
    params = {**(params or {}), **({"TEXT_SHA256": sha256_of(text.encode("utf-8"))} if text is not None else {})}
    if "PRECISION" in params:  # what "auto" chose: a resume on other hardware may choose otherwise
        params["PRECISION"] = model.dtype_policy.name
    check_run_matches(run_dir, model, vocab, params)
    (run_dir / CHECKPOINTS).mkdir(parents=True, exist_ok=True)
    vocab.save(run_dir / "vocab.json")
    write_json(run_dir / "model.json", model.config)
    if params:
        write_json(run_dir / "params.json", params)
    write_json(run_dir / "machine.json", describe_machine())
    return run_dir


def check_run_matches(run_dir: Path, model: CharRNN, vocab: Vocab, params: dict | None = None) -> None:
    """Refuse a run directory whose model, vocabulary or (if it has checkpoints) training differ."""
    differences = {}
    if (run_dir / "model.json").exists():
        saved = json.loads((run_dir / "model.json").read_text())
        names = {**_CONFIG_NAMES, "vocab_size": message("rundir.vocab_size")}
        differences.update({names.get(k, k): (saved.get(k), v) for k, v in model.config.items() if saved.get(k) != v})
    if (run_dir / "params.json").exists() and params and list_checkpoints(run_dir):
        saved = json.loads((run_dir / "params.json").read_text())
        differences.update({k: v for k, v in _differences(saved, params, set(saved) | set(params)).items()
                            if k not in differences})
    text_changed = differences.pop("TEXT_SHA256", None)
    described = [message("rundir.difference", name=name, there=there, here=here) for name, (there, here) in differences.items()]
    if text_changed or ((run_dir / "vocab.json").exists() and Vocab.load(run_dir / "vocab.json") != vocab):
        described.append(message("rundir.other_text"))
    if described:
        raise RunDirError(message("rundir.other_settings", run_dir=run_dir, differences="; ".join(described)))


def training_differences(run_dir: str | Path, params: dict) -> dict[str, tuple]:
    """The parameters both have that ``run_dir`` trained with and ``params`` set otherwise: name -> (there, here)."""
    path = Path(run_dir) / "params.json"
    saved = json.loads(path.read_text()) if path.exists() else {}
    return _differences(saved, params, set(saved) & set(params))


def _differences(saved: dict, params: dict, names: set[str]) -> dict[str, tuple]:
    return {name: (saved.get(name), params.get(name)) for name in sorted(names)
            if name not in RESUMABLE_CHANGES and saved.get(name) != params.get(name)
            and not (name == "PRECISION" and {saved.get(name) or "float32", params.get(name) or "float32"} <= INTERCHANGEABLE)}


def checkpoint_path(run_dir: str | Path, epoch: int) -> Path:
    return Path(run_dir) / CHECKPOINTS / f"epoch_{epoch:03d}.weights.h5"


def list_checkpoints(run_dir: str | Path) -> dict[int, Path]:
    """Epoch number -> checkpoint file, for the completed checkpoints in ``run_dir``."""
    folder = Path(run_dir) / CHECKPOINTS
    found = {}
    if folder.is_dir():
        for path in folder.iterdir():
            match = CHECKPOINT_RE.match(path.name)
            if match:
                found[int(match.group(1))] = path
    return dict(sorted(found.items()))


def best_of(history: dict, among=None) -> tuple[int, float] | None:
    """The epoch of ``history`` (among ``among``, if given) with the lowest finite validation loss, and that loss."""
    losses = {e: v for e, v in zip(history.get("epoch", []), history.get("val_loss", []))
              if math.isfinite(v) and (among is None or e in among)}
    if not losses:
        return None
    epoch = min(losses, key=losses.get)
    return epoch, losses[epoch]


def best_epoch(run_dir: str | Path) -> int | None:
    """The kept checkpoint's epoch with the lowest validation loss (the latest if there is none)."""
    checkpoints = list_checkpoints(run_dir)
    best = best_of(read_history(run_dir), among=checkpoints)
    if best:
        return best[0]
    return max(checkpoints) if checkpoints else None


def save_weights_atomically(model, path: Path) -> None:
    """Write to a temporary file, then rename: a crash mid-write leaves the old files intact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary_name(path)
    model.save_weights(tmp)
    os.replace(tmp, path)


def load_run(run_dir: str | Path, checkpoint: str | Path = "best", gru_impl: str = "auto") -> tuple[CharRNN, Vocab]:
    """Rebuild the model of ``run_dir`` and load its ``"best"`` or ``"latest"`` checkpoint (or a given file)."""
    run_dir = Path(run_dir)
    needed = [run_dir / "vocab.json", run_dir / "model.json"]
    missing = [p.name for p in needed if not p.exists()]
    if checkpoint in ("best", "latest"):
        epoch = best_epoch(run_dir) if checkpoint == "best" else max(list_checkpoints(run_dir), default=None)
        checkpoint = checkpoint_path(run_dir, epoch) if epoch else None
    if missing or checkpoint is None:
        what = ", ".join(missing) if missing else message("rundir.a_checkpoint")
        raise RunDirError(message("rundir.no_model", run_dir=run_dir, missing=what))
    vocab = Vocab.load(run_dir / "vocab.json")
    config = json.loads((run_dir / "model.json").read_text())
    model = build_model(**config, gru_impl=gru_impl)
    try:
        model.load_weights(checkpoint)
    except ValueError as error:
        raise RunDirError(message("rundir.checkpoint_mismatch", checkpoint=checkpoint, model_json=run_dir / "model.json",
                                  config=config, error=error)) from None
    model.checkpoint = Path(checkpoint)
    return model, vocab


def has_trained_model(run_dir: str | Path) -> bool:
    run_dir = Path(run_dir)
    return (run_dir / "vocab.json").exists() and (run_dir / "model.json").exists() and bool(list_checkpoints(run_dir))


def read_history(run_dir: str | Path) -> dict[str, list[float]]:
    path = Path(run_dir) / "history.json"
    return json.loads(path.read_text()) if path.exists() else {}


def at_epoch(history: dict, epoch: int, key: str = "val_loss") -> float | None:
    """A history's ``key`` ("val_loss", "loss", ...) at ``epoch``, or None where it has none."""
    return dict(zip(history.get("epoch", []), history.get(key, []))).get(epoch)


def write_json(path: Path, data) -> None:
    """Write ``data`` to a temporary sibling, then rename it into place."""
    tmp = _temporary_name(path)
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False))
    os.replace(tmp, path)


def _temporary_name(path: Path) -> Path:
    """A sibling name for writing ``path`` before renaming it (same suffix: Keras checks it)."""
    return path.with_name(f".tmp-{os.getpid()}-{path.name}")
