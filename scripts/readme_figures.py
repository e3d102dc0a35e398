"""Write the README's figures from the files that hold them: the losses the committed
notebooks/04_fit.ipynb printed, those of the run pretrained/ comes from (its history.json and
provenance.json), the speed table (benchmarks/results.json) and the quality table
(benchmarks/quality.json, rows written by scripts/quality_row.py).

    .venv/bin/python scripts/readme_figures.py
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from helpers.progress import bits_per_char  # noqa: E402
from helpers.rundir import best_of  # noqa: E402
from scripts.readme import write_section  # noqa: E402

PRETRAINED = ROOT / "pretrained"
RESULTS = ROOT / "benchmarks" / "results.json"
QUALITY = ROOT / "benchmarks" / "quality.json"


NOTEBOOK_04 = ROOT / "notebooks" / "04_fit.ipynb"
EPOCH_LINE = re.compile(r"^Epoch (\d+)/\d+ · (\d+) s · training loss ([\d.]+) · validation loss ([\d.]+)", re.MULTILINE)


def _epoch_table(history: dict) -> str:
    return "\n".join([
        "| epoch | " + " | ".join(str(e) for e in history["epoch"]) + " |",
        "| --- |" + " --- |" * len(history["epoch"]),
        "| training loss | " + " | ".join(f"{v:.3f}" for v in history["loss"]) + " |",
        "| validation loss | " + " | ".join(f"{v:.3f}" for v in history["val_loss"]) + " |",
        "| seconds | " + " | ".join(f"{v:.0f}" for v in history["seconds"]) + " |"])


def _summary(val_loss: float, epoch: int, seconds: float, machine: dict) -> str:
    return (f"Best validation loss {val_loss:.3f} at epoch {epoch} ({bits_per_char(val_loss):.2f} bits per character); "
            f"{seconds / 60:.0f} minutes of training on {machine['cores']} cores of an {machine['cpu']}, "
            f"TensorFlow {machine['tensorflow']}, Keras {machine['keras']}.")


def fit_table() -> str:
    """Every epoch's losses as the committed 04_fit printed them; the machine from quality.json's tutorial row."""
    cells = json.loads(NOTEBOOK_04.read_text())["cells"]
    printed = "".join("".join(o.get("text", "")) for c in cells if c["cell_type"] == "code" for o in c["outputs"])
    epochs = [tuple(map(float, m)) for m in EPOCH_LINE.findall(printed)]
    history = {"epoch": [int(e[0]) for e in epochs], "seconds": [e[1] for e in epochs],
               "loss": [e[2] for e in epochs], "val_loss": [e[3] for e in epochs]}
    epoch, val_loss = best_of(history)
    tutorial = next(r for r in json.loads(QUALITY.read_text()) if r["name"] == "tutorial")
    return _epoch_table(history) + "\n\n" + _summary(val_loss, epoch, sum(history["seconds"]), tutorial["machine"])


def best_table() -> str:
    """Every epoch's losses of the run pretrained/ comes from."""
    history = json.loads((PRETRAINED / "history.json").read_text())
    info = json.loads((PRETRAINED / "provenance.json").read_text())
    return _epoch_table(history) + "\n\n" + _summary(info["val_loss"], info["epoch"], info["training_seconds"], info["machine"])


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def bench_table() -> str:
    """benchmarks/results.json as a table: value, baseline, ratio and target of each figure."""
    results = json.loads(RESULTS.read_text())
    rows = ["| figure | value | baseline | ratio | target |", "| --- | --- | --- | --- | --- |"]
    for f in results["figures"]:
        value = f"{_number(f['value'])} {f['unit']}"
        baseline = "" if f.get("baseline") is None else f"{_number(f['baseline'])} {f['unit']}"
        ratio = "" if f.get("ratio") is None else f"{f['ratio']:.2f}×"
        target = "" if f.get("target") is None else f"{f['target']}× ({'met' if f['ratio'] >= f['target'] else 'missed'})"
        rows.append(f"| {f['name']} | {value} | {baseline} | {ratio} | {target} |")
    machine, versions = results["machine"], results["versions"]
    return "\n".join(rows) + (f"\n\nMeasured on {machine['cores']} cores of an {machine['cpu']}, Python {versions['python']}, "
                              f"TensorFlow {versions['tensorflow']}, Keras {versions['keras']}, NumPy {versions['numpy']}.")


def quality_table() -> str:
    """benchmarks/quality.json: one row per configuration actually trained."""
    rows = ["| name | model | epochs | best validation loss | bits per character | at epoch | training | command |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in json.loads(QUALITY.read_text()):
        p, m = r["parameters"], r["machine"]
        model = (f"{p['RNN_TYPE'].upper()} {p['RNN_UNITS']} × {p['NUM_LAYERS']}, embedding {p['EMBEDDING_DIM']}, "
                 f"dropout {p['DROPOUT']}, batch {p['BATCH_SIZE']} × {p['SEQ_LENGTH']}, Adam {p['LEARNING_RATE']} "
                 f"{p.get('LR_SCHEDULE', 'constant')}" + (f", clip {p['CLIP_NORM']}" if p.get("CLIP_NORM") else ""))
        rows.append(f"| {r['name']} | {model} | {r['epochs']} | {r['best_val_loss']:.3f} | {r['best_bits_per_char']:.2f} | "
                    f"{r['best_epoch']} | {r['training_seconds']} s on {m['cores']} cores of an {m['cpu']} | `{r['command']}` |")
    return "\n".join(rows)


SECTIONS = {"fit-table": fit_table, "best-table": best_table, "bench-table": bench_table, "quality-table": quality_table}


def main() -> None:
    for name, render in SECTIONS.items():
        write_section(name, render())


if __name__ == "__main__":
    main()
