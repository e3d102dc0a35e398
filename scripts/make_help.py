"""`make help`: every target of the Makefile with the first sentence of the comment above it, and its
time where a committed record measured it (records/, or the committed notebooks' own cell timings).

    .venv/bin/python -m scripts.make_help      (make help)
"""

from __future__ import annotations

import re

from helpers.data import PROJECT_ROOT
from scripts import records
from scripts.records import minutes, notebook_seconds, processor, tutorial_row, where

TARGET = re.compile(r"^([a-z][a-z-]*):")


def targets(makefile: str) -> list[tuple[str, str]]:
    """(target, first line of the comment block just above it), in the Makefile's order."""
    found, comment = [], []
    for line in makefile.splitlines():
        if line.startswith("# "):
            comment.append(line[2:])
        elif (match := TARGET.match(line)) and not line.startswith(("PYTHON", "VENV", "BIN", "STAMP", "PROFILE")):
            found.append((match.group(1), comment[0].rstrip(".") if comment else ""))
            comment = []
        elif not line.startswith("\t"):
            comment = []
    return found


def measured() -> dict[str, str]:
    """Target -> its measured time, with where it was measured."""
    times: dict[str, list[str]] = {}
    for target, name, what in (("test", "make_test_fresh_clone", "from a fresh clone, install included"),
                               ("run", "make_run_workshop", "PROFILE=workshop"), ("run", "make_run_short", "PROFILE=short")):
        if not (records.RECORDS / f"{name}.json").exists():
            continue
        for r in records.read_kinds(name).values():  # one time for each kind of processor measured
            times.setdefault(target, []).append(f"{minutes(r['seconds'])} {what}, on {where(r)}")
            if "test_fast_seconds" in r:  # the same record: the clone's edit loop, after its make test
                fast, on = r["test_fast_seconds"], where({**r, "load": r["test_fast_load"]})
                times.setdefault("test-fast", []).append(
                    f"{minutes(fast['again'])} from its second run ({minutes(fast['first'])} for the first, "
                    f"which compiles XLA's programs), on {on}")
    cells = sum(notebook_seconds(p) for p in sorted((PROJECT_ROOT / "notebooks").glob("0*.ipynb")))
    times["notebooks"] = [f"{minutes(cells)} of cells in the committed run, on {processor(tutorial_row()['machine'])}"]
    return {target: "; ".join(each) for target, each in times.items()}


def main() -> None:
    times = measured()
    rows = targets((PROJECT_ROOT / "Makefile").read_text())
    width = max(len(t) for t, _ in rows)
    for target, purpose in rows:
        print(f"make {target:<{width}}  {purpose}" + (f" [{times[target]}]" if target in times else ""))


if __name__ == "__main__":
    main()
