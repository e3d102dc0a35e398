"""Record a trained run as one row of records/quality.json (replacing a row of the same name in its place).

    .venv/bin/python -m scripts.quality_row NAME RUN_DIR "the command that trained it"

RUN_DIR is a folder notebook 04 wrote, or "pretrained" for pretrained/ (its provenance.json holds the rest).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import helpers

helpers.quiet_tensorflow()
from helpers.data import load_text  # noqa: E402
from helpers.dataset import train_val_split  # noqa: E402
from helpers.pretrained import PRETRAINED_DIR  # noqa: E402
from helpers.rundir import load_run, read_history  # noqa: E402
from helpers.training import carried_state_loss  # noqa: E402
from scripts.runner import training_summary  # noqa: E402
from scripts.records import QUALITY, commit, utc  # noqa: E402


def carried_val_loss(model, vocab, params: dict) -> float:
    """The held-out loss with the state carried, the held-out text read as 64 streams."""
    ids = vocab.encode(load_text(params.get("DATA_PATH", "")))
    return round(carried_state_loss(model, train_val_split(ids, params.get("VAL_FRACTION", 0.1))[1], 100, 64), 4)


def row(name: str, run_dir: Path, command: str) -> dict:
    summary = training_summary(run_dir)
    if run_dir == PRETRAINED_DIR:  # make pretrained measured these weights already
        provenance = json.loads((run_dir / "provenance.json").read_text())
        params, machine, carried = provenance["parameters"], provenance["machine"], provenance["carried_val_loss"]
    else:
        params = json.loads((run_dir / "params.json").read_text())
        machine = json.loads((run_dir / "machine.json").read_text())
        carried = carried_val_loss(*load_run(run_dir), params)
    return {"name": name, "date": utc(), "commit": commit(),
            "parameters": {k: v for k, v in params.items() if k not in ("RUN_DIR", "TEXT_SHA256")},
            **{k: summary[k] for k in ("epochs", "best_val_loss", "best_bits_per_char", "best_epoch", "training_seconds")},
            "carried_val_loss": carried, "machine": machine, "command": command,
            "history": read_history(run_dir)}


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
