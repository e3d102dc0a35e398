"""Record a trained run as one row of records/quality.json (replacing a row of the same name in its place).

    .venv/bin/python -m scripts.quality_row NAME RUN_DIR "the command that trained it"

RUN_DIR is a folder notebook 04 wrote (runs/tutorial, runs/<time>-workshop/model, ...), or
"pretrained" for the committed pretrained/ model, whose provenance.json holds its parameters and machine.
The row holds the parameters, the epochs, the best held-out loss in nats and bits per character
and its epoch, the same checkpoint's held-out loss with the state carried (``carried_state_loss``:
64 streams, windows of 100; the figure does not depend on the window), the training seconds, the
machine, and the command.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from helpers.data import load_text
from helpers.dataset import train_val_split
from helpers.progress import bits_per_char
from helpers.rundir import PRETRAINED_DIR, best_of, load_pretrained, load_run
from helpers.training import carried_state_loss
from scripts.records import QUALITY


def carried_loss(run_dir: Path, params: dict) -> float:
    """The best checkpoint's held-out loss, the held-out text read as 64 streams with the state carried."""
    model, vocab = load_pretrained() if run_dir == PRETRAINED_DIR else load_run(run_dir)
    ids = vocab.encode(load_text(params.get("DATA_PATH", "")))
    return carried_state_loss(model, train_val_split(ids, params.get("VAL_FRACTION", 0.1))[1], 100, 64)


def row(name: str, run_dir: Path, command: str) -> dict:
    history = json.loads((run_dir / "history.json").read_text())
    if run_dir == PRETRAINED_DIR:
        provenance = json.loads((run_dir / "provenance.json").read_text())
        params, machine = provenance["parameters"], provenance["machine"]
    else:
        params = json.loads((run_dir / "params.json").read_text())
        machine = json.loads((run_dir / "machine.json").read_text())
    best, loss = best_of(history)
    return {"name": name, "parameters": {k: v for k, v in params.items() if k not in ("RUN_DIR", "TEXT_SHA256")},
            "epochs": len(history["epoch"]), "best_val_loss": round(loss, 4),
            "best_bits_per_char": round(bits_per_char(loss), 4), "best_epoch": best,
            "carried_val_loss": round(carried_loss(run_dir, params), 4),
            "training_seconds": round(sum(history["seconds"])), "machine": machine,
            "command": command}


def main() -> None:
    name, command = sys.argv[1], sys.argv[3]
    run_dir = PRETRAINED_DIR if sys.argv[2] == "pretrained" else Path(sys.argv[2])
    rows = json.loads(QUALITY.read_text()) if QUALITY.exists() else []
    new = row(name, run_dir, command)
    names = [r["name"] for r in rows]
    if name in names:  # a row keeps its place in the table
        rows[names.index(name)] = new
    else:
        rows.append(new)
    QUALITY.write_text(json.dumps(rows, indent=2) + "\n")
    print(f"{name}: best validation loss {new['best_val_loss']} at epoch {new['best_epoch']}")


if __name__ == "__main__":
    main()
