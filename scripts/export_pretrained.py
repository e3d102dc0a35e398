"""Refresh pretrained/ from a training run: its best checkpoint as weights only, with the provenance
that says which command, parameters, machine and commit produced it (``make pretrained``).

    .venv/bin/python -m scripts.export_pretrained RUN_DIR "the command that trained it"
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import helpers

helpers.quiet_tensorflow()
from helpers.data import PROJECT_ROOT, sha256_of  # noqa: E402
from helpers.errors import UserError  # noqa: E402
from helpers.model import build_model  # noqa: E402
from helpers.precision import describe_machine  # noqa: E402
from helpers.pretrained import PRETRAINED_DIR, PRETRAINED_WEIGHTS  # noqa: E402
from helpers.rundir import (at_epoch, best_epoch, checkpoint_path,  # noqa: E402
                            load_run, read_history, save_weights_atomically, write_json)
from scripts.quality_row import carried_val_loss  # noqa: E402
from scripts.records import commit, utc  # noqa: E402


def export_pretrained(run_dir: str | Path, command: str, folder: Path = PRETRAINED_DIR) -> dict:
    """Copy the best checkpoint of ``run_dir`` into ``folder`` as weights only, with its provenance.json;
    returns the provenance. Its figures include the held-out loss read with the state carried."""
    run_dir = Path(run_dir)
    epoch = best_epoch(run_dir)
    model, vocab = load_run(run_dir, "best")
    folder.mkdir(parents=True, exist_ok=True)
    plain = build_model(**model.config)  # no optimizer attached: the file holds the model's weights only
    plain.set_weights(model.get_weights())
    save_weights_atomically(plain, folder / PRETRAINED_WEIGHTS)
    vocab.save(folder / "vocab.json")
    write_json(folder / "model.json", model.config)
    history = read_history(run_dir)
    write_json(folder / "history.json", history)
    params = json.loads((run_dir / "params.json").read_text()) if (run_dir / "params.json").exists() else {}
    machine_file = run_dir / "machine.json"
    best = checkpoint_path(run_dir, epoch)
    info = {
        "command": command,
        "run_folder": str(run_dir.resolve().relative_to(PROJECT_ROOT)) if run_dir.resolve().is_relative_to(PROJECT_ROOT)
        else str(run_dir),
        "best_checkpoint_written": utc(best.stat().st_mtime) if best.exists() else None,
        "exported": utc(),
        "commit": commit(),  # the code that exported it
        "parameters": {k: v for k, v in params.items() if k != "RUN_DIR"},
        "machine": json.loads(machine_file.read_text()) if machine_file.exists() else describe_machine(),
        "epoch": epoch,
        "epochs_trained": max(history["epoch"]),
        "val_loss": at_epoch(history, epoch),
        "loss": at_epoch(history, epoch, "loss"),
        "training_seconds": round(sum(history.get("seconds", [])), 1),
        "parameters_count": plain.count_params(),
        "sha256": sha256_of(folder / PRETRAINED_WEIGHTS),
        "bytes": (folder / PRETRAINED_WEIGHTS).stat().st_size,
        "carried_val_loss": carried_val_loss(plain, vocab, params),
    }
    write_json(folder / "provenance.json", info)
    return info


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print('usage: python -m scripts.export_pretrained RUN_DIR "the command that trained it"', file=sys.stderr)
        return 2
    try:
        info = export_pretrained(args[0], args[1])
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"pretrained/: epoch {info['epoch']} of {args[0]}, validation loss {info['val_loss']:.4f} "
          f"(state carried: {info['carried_val_loss']:.4f}), {info['bytes'] / 1e6:.1f} MB, sha256 {info['sha256'][:12]}…")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
