"""`make bench`: every benchmark figure in one table and in records/bench.json (with date, commit, machine, load).

    .venv/bin/python benchmarks/run.py [--full]

Figures come from each bench_*.py module's ``figures(quick)``; with --full, then two
end-to-end timings against the same commands with CHAR_RNN_GRU_IMPL=keras (Keras's own GRU):
the notebook suite and the workshop run (`make run`). The notebook suite runs at smoke scale,
where kernels starting and cells running take the time and the GRU's share is too small to show
(the two took the same time when the default bench still ran it), so only --full times it. A ratio is
always a speed-up over the baseline: above 1 is faster. A share of the limit is
the figure against this machine's arithmetic bound, measured in the same run
(benchmarks/limits.py).
"""

from __future__ import annotations

import argparse
import importlib
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
    import helpers

    helpers.quiet_tensorflow()  # before describe_machine imports Keras: no start-up notices in the bench's output
    from helpers.rundir import describe_machine

    return describe_machine()


def versions() -> dict:
    import keras
    import numpy
    import tensorflow

    return {"python": platform.python_version(), "tensorflow": tensorflow.__version__,
            "keras": keras.__version__, "numpy": numpy.__version__}


def print_table(figures: list[dict]) -> None:
    """One line per figure: value (with the spread of its repeats), its share of the machine's limit, and its
    ratio against the baseline; the target is for the share where there is a limit, else for the ratio."""
    print(f"{'figure':62} {'value':>10} {'unit':8} {'min-max':>17} {'of limit':>9} {'ratio':>8}  target")
    for f in figures:
        spread = "" if f.get("spread") is None else f"{f['spread'][0]:.4g}-{f['spread'][1]:.4g}"
        fraction = "" if f.get("fraction") is None else f"{f['fraction']:8.0%}"
        ratio = "" if f.get("ratio") is None else f"{f['ratio']:7.2f}x"
        reached = f.get("fraction", f.get("ratio"))
        target = "" if f.get("target") is None else f"{'met' if reached >= f['target'] else 'MISSED'} ({f['target']})"
        print(f"{f['name']:62} {f['value']:10.4g} {f['unit']:8} {spread:>17} {fraction:>9} {ratio:>8}  {target}")
        if f.get("note"):
            print(f"    note: {f['note']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="longer measurements, and time `make run` too")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(ROOT))
    from scripts import records

    described, measured = machine(), records.commit()
    figures = []
    with records.Load() as load:
        for name in BENCHES:
            print(f"{name}...", flush=True)
            figures += importlib.import_module(name).figures(quick=not args.full)
        if args.full:
            print("notebook suite...", flush=True)
            figures.append(timed_command("notebook suite (make test's nbval part)", [
                sys.executable, "-m", "pytest", "tests/test_notebooks.py", "-q", "-p", "no:xdist", "-k",
                "reproduce_their_committed_outputs"]))
            print("workshop run...", flush=True)
            with tempfile.TemporaryDirectory() as runs_dir:
                figures.append(timed_command("make run (workshop profile)", [
                    sys.executable, "-m", "helpers.runner", "--profile", "workshop", "--runs-dir", runs_dir]))
    print_table(figures)
    path = records.write("bench", {"command": "make bench" + (" FULL=1" if args.full else ""), "versions": versions(),
                                    "figures": figures}, load, described, measured)
    print(f"written: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
