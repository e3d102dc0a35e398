"""Sweeps: notebook 04 over a grid of parameters, each run in its own folder, collected in one table.

    .venv/bin/python -m scripts.sweep params/sweeps/workshop.yaml      (make sweep SWEEP=...)

A sweep file names a profile, optional fixed values, and a grid:

    profile: workshop
    fixed: {EPOCHS: 3}
    grid:
      DROPOUT: [0.0, 0.2]
      NUM_LAYERS: [1, 2]

It writes ``runs/<time>-sweep-<name>/`` with one folder per combination (the executed notebook
and its model), ``results.csv`` (parameters, best validation loss in nats and bits per character,
its epoch, training seconds, or the error of a run that failed) and ``results.png``.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import sys
import time
from pathlib import Path

import yaml

from helpers.data import PROJECT_ROOT
from helpers.errors import UserError
from helpers.params import ParameterError, check_value
from helpers.runner import execute, load_profile, new_run_dir, parameters_for

NOTEBOOK = "04_fit"
COLUMNS = ["run", "best_val_loss", "best_bits_per_char", "best_epoch", "epochs", "training_seconds", "error"]


def load_sweep(path: Path) -> tuple[str, dict, list[dict]]:
    """The sweep's name, its base parameters, and one dict of overrides per grid combination."""
    if not path.exists():
        raise ParameterError(f"SWEEP={str(path)!r} does not exist; give a file such as params/sweeps/workshop.yaml.")
    spec = yaml.safe_load(path.read_text()) or {}
    grid = spec.get("grid") or {}
    if not grid or not all(isinstance(v, list) and v for v in grid.values()):
        raise ParameterError(f"{path} needs a 'grid:' of NAME: [value, ...] lists, e.g. 'DROPOUT: [0.0, 0.2]'.")
    base = {**load_profile(spec.get("profile", "workshop")), **(spec.get("fixed") or {})}
    combinations = [dict(zip(grid, values)) for values in itertools.product(*grid.values())]
    for combination in combinations:
        for name, value in {**(spec.get("fixed") or {}), **combination}.items():
            check_value(name, value)
    return path.stem, base, combinations


def run_sweep(path: Path, runs_dir: Path, print_fn=print) -> Path:
    """Run every combination of the grid; a failed run is recorded and the sweep goes on."""
    from papermill import PapermillExecutionError

    name, base, combinations = load_sweep(path)
    sweep_dir = new_run_dir(runs_dir, f"sweep-{name}")
    rows = []
    for i, combination in enumerate(combinations, 1):
        label = f"{i:02d}-" + "-".join(f"{k.lower()}={v}" for k, v in combination.items())
        run_dir = sweep_dir / label
        run_dir.mkdir()
        profile = {**base, **combination}
        print_fn(f"[{i}/{len(combinations)}] {label} ...", flush=True)
        row = {"run": label, **combination}
        started = time.perf_counter()
        try:
            execute(NOTEBOOK, parameters_for(NOTEBOOK, profile, run_dir), run_dir)
            row.update(_best(run_dir / "model"))
        except PapermillExecutionError as error:
            row["error"] = f"{error.ename}: {error.evalue}"
        outcome = row.get("error") or f"best validation loss {row['best_val_loss']:.3f}"
        print_fn(f"[{i}/{len(combinations)}] {label}: {outcome} ({time.perf_counter() - started:.0f} s)", flush=True)
        rows.append(row)
        _write(sweep_dir, rows, list(combinations[0]), name)
    return sweep_dir


def _best(model_dir: Path) -> dict:
    from helpers.progress import bits_per_char
    from helpers.rundir import best_of, read_history

    history = read_history(model_dir)
    epoch, loss = best_of(history)
    return {"best_val_loss": round(loss, 4), "best_bits_per_char": round(bits_per_char(loss), 4), "best_epoch": epoch,
            "epochs": len(history["epoch"]), "training_seconds": round(sum(history["seconds"]), 1)}


def _write(sweep_dir: Path, rows: list[dict], names: list[str], sweep: str) -> None:
    """results.csv and results.png, rewritten after every run so an interrupted sweep keeps what it has."""
    with open(sweep_dir / "results.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["run", *names, *COLUMNS[1:]])
        writer.writeheader()
        writer.writerows(rows)
    plot_results(rows, sweep).savefig(sweep_dir / "results.png", dpi=100)


def plot_results(rows: list[dict], sweep: str):
    """Best validation loss per run, lowest first; failed runs are listed but not drawn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    done = sorted((r for r in rows if "best_val_loss" in r), key=lambda r: r["best_val_loss"])
    fig, ax = plt.subplots(figsize=(7, 1.5 + 0.4 * max(1, len(done))), layout="constrained")
    bars = ax.barh([r["run"] for r in done], [r["best_val_loss"] for r in done])
    ax.bar_label(bars, fmt="%.3f", padding=3, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("best validation loss (nats per character)")
    failed = [r["run"] for r in rows if r.get("error")]
    ax.set_title(f"Sweep {sweep!r}: each run's best validation loss, lowest first"
                 + (f" ({len(failed)} failed: {', '.join(failed)})" if failed else ""), fontsize=9)
    if done:
        ax.set_xlim(min(r["best_val_loss"] for r in done) * 0.95, max(r["best_val_loss"] for r in done) * 1.04)
    return fig


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run notebook 04 over a grid of parameters.")
    parser.add_argument("sweep", type=Path, help="a sweep file, such as params/sweeps/workshop.yaml")
    parser.add_argument("--runs-dir", type=Path, default=PROJECT_ROOT / "runs", help="where the sweep's folder is created")
    args = parser.parse_args(argv)
    try:
        sweep_dir = run_sweep(args.sweep, args.runs_dir)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"Wrote {sweep_dir / 'results.csv'} and {sweep_dir / 'results.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
