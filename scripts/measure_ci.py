"""How long CI takes: clone this checkout's HEAD beside it, run .ci/run there (install, lint, every
test), then `make test-fast` twice in the clone (the first run compiles XLA's programs, the second
loads them, as in an edit loop), and write records/make_test_fresh_clone.json with the wall times
and pytest's summary.

    .venv/bin/python -m scripts.measure_ci            (make measure-ci; about 8 minutes on 2 cores)

Run it on a machine doing nothing else: the load average is recorded with the time.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time

from helpers.data import PROJECT_ROOT
from scripts import records


def main() -> int:
    import helpers

    helpers.quiet_tensorflow()
    from helpers.precision import describe_machine

    clone = PROJECT_ROOT.parent / f"{PROJECT_ROOT.name}-fresh-clone"
    if clone.exists():
        shutil.rmtree(clone)
    subprocess.run(["git", "clone", "-q", str(PROJECT_ROOT), str(clone)], check=True)
    machine, measured = describe_machine(), records.commit(clone)
    with records.Load() as load:
        started = time.perf_counter()
        done = subprocess.run(["bash", ".ci/run"], cwd=clone, capture_output=True, text=True)
        seconds = time.perf_counter() - started
    tail = (done.stdout + done.stderr)[-3000:]
    print(tail)
    summary = re.findall(r"=+ (\d+ passed.*?) in ([\d.]+)s", done.stdout)
    if done.returncode != 0 or not summary:
        print(f".ci/run failed (exit {done.returncode}); nothing recorded.", file=sys.stderr)
        return 1
    passed, pytest_seconds = summary[-1]
    fast = []
    with records.Load() as fast_load:
        for _ in range(2):
            started = time.perf_counter()
            done = subprocess.run(["make", "test-fast"], cwd=clone, capture_output=True, text=True)
            fast.append(round(time.perf_counter() - started, 1))
            if done.returncode != 0:
                print(f"{(done.stdout + done.stderr)[-3000:]}\nmake test-fast failed; nothing recorded.", file=sys.stderr)
                return 1
    path = records.write("make_test_fresh_clone", {
        "command": "git clone, then bash .ci/run (installs .venv, then make test), then make test-fast twice",
        "seconds": round(seconds, 1), "pytest_seconds": float(pytest_seconds), "pytest_summary": passed,
        "test_fast_seconds": {"first": fast[0], "again": fast[1]}, "test_fast_load": fast_load.summary(),
    }, load, machine, measured)
    print(f"{seconds:.0f} s from a fresh clone ({passed}); make test-fast {fast[0]:.0f} s, then {fast[1]:.0f} s; "
          f"wrote {path.relative_to(PROJECT_ROOT)}")
    shutil.rmtree(clone)
    return 0


if __name__ == "__main__":
    sys.exit(main())
