"""Record a trained run as one row of benchmarks/quality.json (replacing a row of the same name in its place).

    .venv/bin/python scripts/quality_row.py NAME RUN_DIR "the command that trained it"

RUN_DIR is a folder notebook 04 wrote (runs/tutorial, runs/<time>-workshop/model, ...).
The row holds the parameters, the epochs, the best held-out loss in nats and bits per character
and its epoch, the training seconds, the machine, and the command.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from helpers.progress import bits_per_char
from helpers.rundir import best_of

ROOT = Path(__file__).resolve().parent.parent
QUALITY = ROOT / "benchmarks" / "quality.json"


def row(name: str, run_dir: Path, command: str) -> dict:
    history = json.loads((run_dir / "history.json").read_text())
    params = json.loads((run_dir / "params.json").read_text())
    best, loss = best_of(history)
    return {"name": name, "parameters": {k: v for k, v in params.items() if k not in ("RUN_DIR", "TEXT_SHA256")},
            "epochs": len(history["epoch"]), "best_val_loss": round(loss, 4),
            "best_bits_per_char": round(bits_per_char(loss), 4), "best_epoch": best,
            "training_seconds": round(sum(history["seconds"])), "machine": json.loads((run_dir / "machine.json").read_text()),
            "command": command}


def main() -> None:
    name, run_dir, command = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
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
