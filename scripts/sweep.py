"""Sweeps: notebook 04 over a grid of parameters (make sweep SWEEP=params/sweeps/workshop.yaml).

A sweep file names a ``profile``, values ``fixed`` for every run if any, and a ``grid`` of NAME: [value, ...]
lists (params/sweeps/ has examples). It writes ``runs/<time>-sweep-<name>/``: a folder per combination (the
executed notebook and its model), ``results.csv`` (each run's values and training summary, or its error) and
``results.png``.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import sys
import time
from pathlib import Path

from helpers.data import PROJECT_ROOT
from helpers.errors import UserError
from helpers.params import ParameterError
from scripts.runner import NotebookFailed, execute, load_profile, new_run_dir, parameters_for, read_yaml, training_summary

NOTEBOOK = "04_fit"
COLUMNS = ["best_val_loss", "best_bits_per_char", "best_epoch", "epochs", "final_loss", "final_val_loss", "training_seconds", "error"]


def load_sweep(path: Path) -> tuple[str, list[dict], list[dict]]:
    """The sweep's name, each combination of its grid, and the profile each runs under; all checked before any run."""
    if not path.is_file():
        raise ParameterError(f"SWEEP={str(path)!r} does not exist; give a file such as params/sweeps/workshop.yaml.")
    spec = read_yaml(path)
    grid, fixed = spec.get("grid"), spec.get("fixed") or {}
    if (set(spec) - {"profile", "fixed", "grid"} or not isinstance(fixed, dict) or not isinstance(grid, dict)
            or not all(isinstance(values, list) and values for values in grid.values())):
        raise ParameterError(f"{path} needs 'profile: NAME', 'fixed: {{NAME: value}}' if any, and a 'grid:' of NAME: [value, ...] "
                             "lists, such as 'DROPOUT: [0.0, 0.2]'.")
    base = load_profile(spec.get("profile", "workshop"))
    combinations = [dict(zip(grid, values)) for values in itertools.product(*grid.values())]
    # in 04's own section, so that a name 04 does not declare is refused, and they outrank the profile's
    profiles = [{**base, NOTEBOOK: {**(base.get(NOTEBOOK) or {}), **fixed, **combination}} for combination in combinations]
    for profile in profiles:
        parameters_for(NOTEBOOK, profile, Path())
    return path.stem, combinations, profiles


def run_sweep(path: Path, runs_dir: Path) -> Path:
    """Run every combination of the grid; a failed run is recorded and the sweep goes on."""
    name, combinations, profiles = load_sweep(path)
    sweep_dir = new_run_dir(runs_dir, f"sweep-{name}")
    rows = []
    for i, (combination, profile) in enumerate(zip(combinations, profiles), 1):
        label = f"{i:02d}-" + "-".join(f"{k.lower()}={v}" for k, v in combination.items())
        print(f"[{i}/{len(combinations)}] {label} ...", flush=True)
        started = time.perf_counter()
        row = {"run": label, **combination}
        run_dir = sweep_dir / label
        run_dir.mkdir()
        try:
            execute(NOTEBOOK, parameters_for(NOTEBOOK, profile, run_dir), run_dir)
            row.update(training_summary(run_dir / "model"))
        except NotebookFailed as error:
            row["error"] = str(error)
        outcome = row.get("error") or f"best validation loss {row['best_val_loss']:.3f}"
        print(f"[{i}/{len(combinations)}] {label}: {outcome} ({time.perf_counter() - started:.0f} s)", flush=True)
        rows.append(row)
        with open(sweep_dir / "results.csv", "w", newline="") as f:  # rewritten after each run: an interrupted sweep keeps it
            writer = csv.DictWriter(f, fieldnames=["run", *combination, *COLUMNS])
            writer.writeheader()
            writer.writerows(rows)
        plot_results(rows, name, sweep_dir / "results.png")
    return sweep_dir


def plot_results(rows: list[dict], sweep: str, path: Path) -> None:
    """Best validation loss per run, lowest first, into ``path``; failed runs are named in the title but not drawn."""
    from matplotlib.figure import Figure  # not pyplot: no display to pick, and no figure left open after each run

    done = sorted((r for r in rows if "best_val_loss" in r), key=lambda r: r["best_val_loss"])
    fig = Figure(figsize=(7, 1.5 + 0.4 * max(1, len(done))), layout="constrained")
    ax = fig.subplots()
    ax.bar_label(ax.barh([r["run"] for r in done], [r["best_val_loss"] for r in done]), fmt="%.3f", padding=3, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("best validation loss (nats per character)")
    failed = [r["run"] for r in rows if r.get("error")]
    ax.set_title(f"Sweep {sweep!r}: each run's best validation loss, lowest first"
                 + (f" ({len(failed)} failed: {', '.join(failed)})" if failed else ""), fontsize=9)
    if done:  # from just below the lowest: the runs differ in the second decimal
        ax.set_xlim(done[0]["best_val_loss"] * 0.95, done[-1]["best_val_loss"] * 1.04)
    fig.savefig(path, dpi=100)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run notebook 04 over a grid of parameters.")
    parser.add_argument("sweep", type=Path, help="a sweep file, such as params/sweeps/workshop.yaml")
    args = parser.parse_args(argv)
    try:
        sweep_dir = run_sweep(args.sweep, PROJECT_ROOT / "runs")
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"Wrote {sweep_dir / 'results.csv'} and {sweep_dir / 'results.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
