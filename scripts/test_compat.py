"""The unit tests and the smoke notebooks in throwaway environments that pin other dependency versions.

    .venv/bin/python -m scripts.test_compat [--stack colab|minimums] [--part unit|notebooks] [--rebuild] [--install-only]

Each stack is a pip constraints file in params/compat/ (``colab``: what Google Colab pre-installs;
``minimums``: the floors pyproject.toml declares). For each, this builds a venv in .compat/<stack>/venv,
installs the project (editable) with its ``notebooks`` extra under those constraints, on the stack's own Python
(``colab``: 3.13, as Colab's default runtime; ``minimums``: 3.11, requires-python's floor), prints the versions
pip chose, then runs pytest twice: "unit" is every test but tests/test_notebooks.py and the browser test;
"notebooks" is tests/test_notebooks.py, the seven notebooks re-run at smoke scale against their committed
outputs. A venv is reused while its constraints file, the requirements pyproject.toml declares (package and
notebooks extra) and its Python stay the same; any change rebuilds it. Logs and JUnit reports stay in
.compat/<stack>/. Exits 1 if any stack fails to install or has a failing test.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

from helpers.data import PROJECT_ROOT
from scripts import records
CONSTRAINTS = PROJECT_ROOT / "params" / "compat"
CACHE = PROJECT_ROOT / ".compat"
STACKS = ("colab", "minimums")
# Each stack's Python: Colab's default runtime runs 3.13; 3.11 is the floor pyproject.toml's requires-python sets.
PYTHONS = {"colab": "3.13", "minimums": "3.11"}
PARTS = {
    "unit": ["tests", "--ignore", "tests/test_notebooks.py", "--ignore", "tests/test_browser.py"],
    "notebooks": ["tests/test_notebooks.py"],
}
REPORTED = ("tensorflow", "keras", "numpy", "matplotlib", "ipywidgets", "pyyaml")
INSTALL = ["-e", f"{PROJECT_ROOT}[notebooks]"]
VERSIONS = """
import importlib.metadata as m, json, platform
print(json.dumps({"python": platform.python_version(), **{n: m.version(n) for n in %r}}))
"""


def venv_dir(stack: str) -> Path:
    """Where a stack's virtual environment lives."""
    return CACHE / stack / "venv"


def find_python(version: str) -> Path | None:
    """A working interpreter of this minor version: ``python3.13`` on PATH, else one pyenv installed; None if neither."""
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    installed = sorted(pyenv.glob(f"{version}.*/bin/python{version}"), reverse=True,
                       key=lambda p: [int(n) for n in p.parts[-3].split(".") if n.isdigit()])
    on_path = shutil.which(f"python{version}")
    for candidate in ([Path(on_path)] if on_path else []) + installed:
        # a pyenv shim is on PATH even for a version that is installed but not selected; it then exits 127
        if subprocess.run([str(candidate), "--version"], capture_output=True).returncode == 0:
            return candidate
    return None


def python_version(python: Path) -> str:
    """What ``python --version`` prints, e.g. 'Python 3.13.0'."""
    return subprocess.run([str(python), "--version"], capture_output=True, text=True, check=True).stdout.strip()


def fingerprint(stack: str, base: Path) -> str:
    """A hash of what decides pip's choices for a stack: its constraints, the declared requirements, its Python, the install command."""
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())
    project = pyproject["project"]
    declared = {"build": pyproject.get("build-system"), "python": project.get("requires-python"),
                "dependencies": project.get("dependencies"), "notebooks": project.get("optional-dependencies", {}).get("notebooks")}
    parts = [(CONSTRAINTS / f"{stack}.txt").read_text(), json.dumps(declared, sort_keys=True), python_version(base), " ".join(INSTALL)]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def log_tail(path: Path, lines: int = 30) -> str:
    """The last lines of a log file, indented."""
    return "\n".join("    " + line for line in path.read_text(errors="replace").splitlines()[-lines:])


def pip_install(python: Path, args: list[str], log: Path) -> bool:
    """Run ``pip install args`` with the venv's Python, appending its output to ``log``."""
    with log.open("a") as out:
        out.write(f"\n$ pip install {' '.join(args)}\n")
        out.flush()
        done = subprocess.run([str(python), "-m", "pip", "install", "--progress-bar", "off", *args],
                              stdout=out, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT, env=clean_env(python.parent))
    return done.returncode == 0


def build_env(stack: str, rebuild: bool) -> Path | None:
    """The stack's venv Python, built afresh unless an up-to-date one exists; None if its Python is missing or pip fails."""
    base = find_python(PYTHONS[stack])
    if base is None:
        print(f"[{stack}] needs Python {PYTHONS[stack]}, found neither python{PYTHONS[stack]} on PATH nor one in ~/.pyenv/versions: "
              f"install it (pyenv install {PYTHONS[stack]}) and run again")
        return None
    venv, wanted, constraints = venv_dir(stack), fingerprint(stack, base), CONSTRAINTS / f"{stack}.txt"
    python, stamp = venv / "bin" / "python", venv / ".fingerprint"
    if not rebuild and python.exists() and stamp.exists() and stamp.read_text() == wanted:
        print(f"[{stack}] reusing {venv.relative_to(PROJECT_ROOT)} (constraints, declared requirements and Python unchanged)")
        return python
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    log = venv.parent / "install.log"
    log.write_text("")
    where = {path: path.relative_to(PROJECT_ROOT) for path in (venv, constraints, log)}
    print(f"[{stack}] building {where[venv]} with {where[constraints]} (log: {where[log]})", flush=True)
    subprocess.run([str(base), "-m", "venv", str(venv)], check=True)
    ok = pip_install(python, ["--upgrade", "pip"], log) and pip_install(python, ["-c", str(constraints), *INSTALL], log)
    if not ok:
        print(f"[{stack}] pip could not install this stack:\n{log_tail(log)}")
        return None
    stamp.write_text(wanted)
    return python


def clean_env(bin_dir: Path) -> dict[str, str]:
    """The environment for a venv's commands: its bin first on PATH, nothing leaking in from the caller's Python."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    return {**env, "VIRTUAL_ENV": str(bin_dir.parent), "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"}


def installed_versions(python: Path) -> dict[str, str]:
    """Python's and the reported packages' versions in a venv, as pip installed them."""
    done = subprocess.run([str(python), "-c", VERSIONS % (REPORTED,)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def junit_counts(report: Path) -> dict[str, int]:
    """Passed, failed, errors and skipped from a pytest JUnit XML report (one error if pytest wrote none)."""
    if not report.exists():
        return {"passed": 0, "failed": 0, "errors": 1, "skipped": 0}
    suite = ET.parse(report).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    total, failed, errors, skipped = (int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
    return {"passed": total - failed - errors - skipped, "failed": failed, "errors": errors, "skipped": skipped}


def run_part(stack: str, python: Path, part: str) -> tuple[dict[str, int], float]:
    """Run one part's tests with pytest in the stack's venv; its counts and the seconds it took."""
    work = CACHE / stack
    report = work / f"{part}.xml"
    report.unlink(missing_ok=True)
    command = [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "--basetemp", str(work / f"tmp-{part}"),
               f"--junitxml={report}", *PARTS[part]]
    print(f"[{stack}] {part}: {' '.join(command[1:])}", flush=True)
    start = time.monotonic()
    subprocess.run(command, cwd=PROJECT_ROOT, env=clean_env(python.parent))
    seconds = time.monotonic() - start
    counts = junit_counts(report)
    print(f"[{stack}] {part}: {describe(counts)} in {seconds:.0f} s", flush=True)
    return counts, seconds


def describe(counts: dict[str, int]) -> str:
    """'120 passed, 1 failed' from a counts dict, leaving out zeros."""
    return ", ".join(f"{n} {k}" for k, n in counts.items() if n) or "no tests"


def run_stack(stack: str, parts: list[str], rebuild: bool) -> tuple[bool, str, dict]:
    """Build (or reuse) one stack's venv and run the chosen parts: whether all passed, its summary line, and
    its figures for the record (versions, each part's counts and seconds, the seconds in all)."""
    start = time.monotonic()
    python = build_env(stack, rebuild)
    if python is None:
        return False, f"{stack:9} FAIL  no Python {PYTHONS[stack]}, or pip could not install it (see the lines above)", {}
    versions = installed_versions(python)
    shown = " ".join(f"{name} {version}" for name, version in versions.items())
    print(f"[{stack}] installed: {shown}", flush=True)
    results, ok, figures = [], True, {"versions": versions, "parts": {}}
    for part in parts:
        counts, seconds = run_part(stack, python, part)
        ok = ok and counts["failed"] == counts["errors"] == 0 and counts["passed"] > 0
        results.append(f"{part} {describe(counts)} ({seconds:.0f} s)")
        figures["parts"][part] = {**counts, "seconds": round(seconds)}
    total = time.monotonic() - start
    figures.update(passed=ok, seconds=round(total))
    return ok, f"{stack:9} {'PASS' if ok else 'FAIL'}  {shown} | {' | '.join(results)} | {total:.0f} s in all", figures


def parse_args() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", choices=STACKS, action="append", help="run this stack only (repeatable; default: all)")
    parser.add_argument("--part", choices=tuple(PARTS), action="append", help="run this part only (repeatable; default: all)")
    parser.add_argument("--rebuild", action="store_true", help="build the venvs afresh even when they are up to date")
    parser.add_argument("--install-only", action="store_true", help="build (or reuse) the venvs and print their versions; run no tests")
    return parser.parse_args()


def main() -> int:
    """Run each chosen stack, print one summary line per stack; 1 if any failed. A run of every stack and
    part writes records/make_test_compat.json, which docs/compatibility.md quotes."""
    args = parse_args()
    whole = not (args.stack or args.part or args.install_only)
    summaries, ok, stacks = [], True, {}
    with records.Load() as load:
        for stack in args.stack or STACKS:
            passed, line, stacks[stack] = run_stack(stack, [] if args.install_only else args.part or list(PARTS), args.rebuild)
            ok, summaries = ok and passed, [*summaries, line]
    print("\nCompatibility summary:\n" + "\n".join(summaries))
    if whole:
        import helpers

        helpers.quiet_tensorflow()  # before describe_machine imports Keras: no start-up notices
        from helpers.rundir import describe_machine

        path = records.write("make_test_compat", {"command": "make test-compat", "passed": ok, "stacks": stacks},
                             load, describe_machine())
        print(f"Wrote {path.relative_to(PROJECT_ROOT)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
