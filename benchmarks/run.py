"""`make bench`: every benchmark figure in one table and in records/bench.json (with date, commit, machine, load).

    .venv/bin/python -m benchmarks.run [--full]

Figures come from each bench_*.py module's ``figures(quick)``; --full measures longer. A ratio is
always a speed-up over the baseline (Keras's own GRU, or the tutorial's eager loop), measured in the
same run: above 1 is faster. A share of the limit is the figure against this machine's arithmetic
bound, measured in the same run (benchmarks/limits.py). End-to-end times are the records of
`make record-run` and `make measure-ci`.
"""

from __future__ import annotations

import argparse
import importlib
import platform

from helpers.data import PROJECT_ROOT

BENCHES = ("bench_generate", "bench_train")


def machine() -> dict:
    """The machine, described as a run directory records it."""
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
    parser.add_argument("--full", action="store_true", help="longer measurements (more repeats)")
    args = parser.parse_args()
    from scripts import records

    described, measured = machine(), records.commit()
    figures = []
    with records.Load() as load:
        for name in BENCHES:
            print(f"{name}...", flush=True)
            figures += importlib.import_module(f"benchmarks.{name}").figures(quick=not args.full)
    print_table(figures)
    path = records.write("bench", {"command": "make bench" + (" FULL=1" if args.full else ""), "versions": versions(),
                                    "figures": figures}, load, described, measured)
    print(f"written: {path.relative_to(PROJECT_ROOT)}")


if __name__ == "__main__":
    main()
