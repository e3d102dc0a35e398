"""The recorded times `make help` prints under its targets, each with the processor it was measured on, named by its
instruction set. The standard library only: `make help` runs before anything is installed.

    python3 -m scripts.recorded_times
"""

from __future__ import annotations

import json
from pathlib import Path

RECORDS = Path("records")  # run from the project's root, as make runs it: helpers.data.PROJECT_ROOT needs an install
# The commands whose recorded times the README's table of runs and `make help` show, and their records.
RUN_RECORDS = (("make test", "make_test_fresh_clone"), ("make run", "make_run_workshop"),
               ("make run PROFILE=short", "make_run_short"))


def machine(record: dict, kind: str) -> str:
    """A record's processor, named by its instruction set too (both kinds here call themselves "AMD EPYC"), and cores."""
    return f"{record['machine']['cpu']} ({kind}) × {record['machine']['cores']}"


def recorded_times() -> list[str]:
    """One line per command and kind of processor recorded."""
    found = []
    for command, name in RUN_RECORDS:
        for kind, r in json.loads((RECORDS / f"{name}.json").read_text()).items():
            fast = r.get("test_fast_seconds")
            extra = f" from a fresh clone, install included; make test-fast {fast['first']:.0f} s, then {fast['again']:.0f} s" \
                if fast else ""
            found.append(f"  {command}: {r['seconds'] / 60:.0f} min{extra} ({machine(r, kind)}, {r['date'][:10]})")
    return found


if __name__ == "__main__":
    print("\n".join(recorded_times()))
