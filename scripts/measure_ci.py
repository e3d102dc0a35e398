"""How long CI takes: .ci/run in a fresh clone of HEAD, then `make test-fast` twice there (the first compiles
XLA's programs, the second loads them), into records/make_test_fresh_clone.json. Run it on an idle machine.

    .venv/bin/python -m scripts.measure_ci            (make measure-ci)
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
    clone = PROJECT_ROOT.parent / f"{PROJECT_ROOT.name}-fresh-clone"
    if clone.exists():
        shutil.rmtree(clone)
    subprocess.run(["git", "clone", "-q", str(PROJECT_ROOT), str(clone)], check=True)
    with records.Measurement(clone) as measured:
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
    fast_seconds = []
    with records.Measurement(clone) as fast:
        for _ in range(2):
            started = time.perf_counter()
            done = subprocess.run(["make", "test-fast"], cwd=clone, capture_output=True, text=True)
            fast_seconds.append(round(time.perf_counter() - started, 1))
            if done.returncode != 0:
                print(f"{(done.stdout + done.stderr)[-3000:]}\nmake test-fast failed; nothing recorded.", file=sys.stderr)
                return 1
    path = records.write("make_test_fresh_clone", {
        "command": "git clone, then bash .ci/run (installs .venv, then make test), then make test-fast twice",
        "seconds": round(seconds, 1), "pytest_seconds": float(pytest_seconds), "pytest_summary": passed,
        "test_fast_seconds": {"first": fast_seconds[0], "again": fast_seconds[1]}, "test_fast_load": fast.summary(),
    }, measured)
    print(f"{seconds:.0f} s from a fresh clone ({passed}); make test-fast {fast_seconds[0]:.0f} s, then {fast_seconds[1]:.0f} s; "
          f"wrote {path.relative_to(PROJECT_ROOT)}")
    shutil.rmtree(clone)
    return 0


if __name__ == "__main__":
    sys.exit(main())
