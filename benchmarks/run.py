"""`make bench`: every benchmark figure in one table and in benchmarks/results.json.

    .venv/bin/python benchmarks/run.py [--full]

Figures come from each bench_*.py module's ``figures(quick)``, then two end-to-end
timings against the same commands with CHAR_RNN_GRU_IMPL=keras (Keras's own GRU):
the notebook suite, and with --full the workshop run (`make run`). A ratio is
always a speed-up over the baseline: above 1 is faster.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BENCHES = ("bench_generate", "bench_train")
BASELINE_ENV = {"CHAR_RNN_GRU_IMPL": "keras"}


def timed_command(name: str, command: list[str]) -> dict:
    """Seconds ``command`` takes, against the same command with Keras's GRU; a failure is noted, not fatal."""
    seconds, notes = {}, []
    for label, env in (("baseline", BASELINE_ENV), ("value", {})):
        start = time.perf_counter()
        result = subprocess.run(command, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True)
        seconds[label] = time.perf_counter() - start
        if result.returncode:
            last_line = (result.stdout.strip().splitlines() or [""])[-1]
            notes.append(f"{label} run failed (exit {result.returncode}): {last_line}")
    figure = dict(name=name, value=seconds["value"], unit="s", baseline=seconds["baseline"],
                  ratio=seconds["baseline"] / seconds["value"])
    return {**figure, "note": "; ".join(notes)} if notes else figure


def machine() -> dict:
    """The machine, described as a run directory records it."""
    sys.path.insert(0, str(ROOT))
    from helpers.rundir import describe_machine

    return describe_machine()


def versions() -> dict:
    import keras
    import numpy
    import tensorflow

    return {"python": platform.python_version(), "tensorflow": tensorflow.__version__,
            "keras": keras.__version__, "numpy": numpy.__version__}


def print_table(figures: list[dict]) -> None:
    """One line per figure: value, baseline, ratio, and the target ratio where there is one."""
    print(f"{'figure':58} {'value':>10} {'unit':8} {'baseline':>10} {'ratio':>8}  target")
    for f in figures:
        baseline = "" if f.get("baseline") is None else f"{f['baseline']:10.4g}"
        ratio = "" if f.get("ratio") is None else f"{f['ratio']:7.2f}x"
        target = "" if f.get("target") is None else f"{'met' if f['ratio'] >= f['target'] else 'MISSED'} ({f['target']}x)"
        print(f"{f['name']:58} {f['value']:10.4g} {f['unit']:8} {baseline:>10} {ratio:>8}  {target}")
        if f.get("note"):
            print(f"    note: {f['note']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="longer measurements, and time `make run` too")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    figures = []
    for name in BENCHES:
        if importlib.util.find_spec(name):  # a benchmark another change has not added yet is skipped
            print(f"{name}...", flush=True)
            figures += importlib.import_module(name).figures(quick=not args.full)
    print("notebook suite...", flush=True)
    figures.append(timed_command("notebook suite (make test's nbval part)", [
        sys.executable, "-m", "pytest", "tests/test_notebooks.py", "-q", "-k", "reproduce_their_committed_outputs"]))
    if args.full:
        print("workshop run...", flush=True)
        with tempfile.TemporaryDirectory() as runs_dir:
            figures.append(timed_command("make run (workshop profile)", [
                sys.executable, "-m", "helpers.runner", "--profile", "workshop", "--runs-dir", runs_dir]))
    print_table(figures)
    results = {"machine": machine(), "versions": versions(), "figures": figures}
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"written: {(HERE / 'results.json').relative_to(ROOT)}")


if __name__ == "__main__":
    main()
