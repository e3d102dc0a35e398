"""The unit tests and the smoke notebooks in throwaway venvs that pin other dependency versions.

    .venv/bin/python -m scripts.test_compat [--stack colab|minimums] [--install-only]

A stack is a pip constraints file in params/compat/ and a Python: ``colab`` (Colab's pre-installed packages, on
3.13) and ``minimums`` (pyproject.toml's floors, on 3.11). Its venv, logs and JUnit reports live in .compat/<stack>/,
reused while the constraints, the declared requirements and the Python stay the same. A full run writes
records/make_test_compat.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

from helpers.data import PROJECT_ROOT, sha256_of
from scripts import records

CACHE = PROJECT_ROOT / ".compat"
PYTHONS = {"colab": "3.13", "minimums": "3.11"}
PARTS = {"unit": ["tests", "--ignore", "tests/test_notebooks.py", "--ignore", "tests/test_browser.py"],
         "notebooks": ["tests/test_notebooks.py"]}
INSTALL = ["-e", f"{PROJECT_ROOT}[notebooks,test]"]
VERSIONS = ("import importlib.metadata as m, json, platform; print(json.dumps({'python': platform.python_version(), "
            "**{n: m.version(n) for n in ('tensorflow', 'keras', 'numpy', 'matplotlib', 'ipywidgets', 'pyyaml')}}))")


def find_python(version: str) -> Path:
    """``python3.13`` on PATH, else one that pyenv installed; exits if neither runs."""
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    for candidate in [shutil.which(f"python{version}"), *sorted(pyenv.glob(f"{version}.*/bin/python{version}"), reverse=True)]:
        # a pyenv shim is on PATH even for a version that is installed but not selected; it then exits 127
        if candidate and subprocess.run([candidate, "--version"], capture_output=True).returncode == 0:
            return Path(candidate)
    sys.exit(f"make test-compat needs Python {version}, on PATH or in {pyenv}: pyenv install {version}")


def fingerprint(stack: str, python: Path) -> str:
    """A hash of what decides pip's choices: the stack's constraints, what pyproject.toml declares to pip (its
    [build-system] and [project] tables), the Python's version and the install command."""
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())
    declared = json.dumps([pyproject.get("build-system"), pyproject["project"]])
    version = subprocess.run([python, "--version"], capture_output=True, text=True, check=True).stdout
    parts = [(PROJECT_ROOT / "params" / "compat" / f"{stack}.txt").read_text(), declared, version, *INSTALL]
    return sha256_of("\0".join(parts).encode())


def build_env(stack: str) -> Path:
    """The stack's venv Python, reused or built afresh; exits if pip cannot install the stack."""
    base, venv, log = find_python(PYTHONS[stack]), CACHE / stack / "venv", CACHE / stack / "install.log"
    python, stamp, wanted = venv / "bin" / "python", venv / ".fingerprint", fingerprint(stack, base)
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        print(f"[{stack}] reusing {venv.relative_to(PROJECT_ROOT)}: constraints, declared requirements and Python unchanged")
        return python
    print(f"[{stack}] building {venv.relative_to(PROJECT_ROOT)} (log: {log.relative_to(PROJECT_ROOT)})", flush=True)
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([base, "-m", "venv", venv], check=True)
    with log.open("w") as out:
        for args in (["--upgrade", "pip"], ["-c", PROJECT_ROOT / "params" / "compat" / f"{stack}.txt", *INSTALL]):
            if subprocess.run([python, "-m", "pip", "install", "--progress-bar", "off", *args], stdout=out, stderr=subprocess.STDOUT,
                              cwd=PROJECT_ROOT).returncode:
                sys.exit(f"[{stack}] pip could not install this stack; see {log.relative_to(PROJECT_ROOT)}")
    stamp.write_text(wanted)
    return python


def junit_counts(report: Path) -> dict[str, int]:
    """Passed, failed, errors and skipped from a pytest JUnit XML report (one error if pytest wrote none)."""
    if not report.exists():
        return {"passed": 0, "failed": 0, "errors": 1, "skipped": 0}
    suite = next(ET.parse(report).iter("testsuite"))
    failed, errors, skipped = (int(suite.get(k, 0)) for k in ("failures", "errors", "skipped"))
    return {"passed": int(suite.get("tests", 0)) - failed - errors - skipped, "failed": failed, "errors": errors, "skipped": skipped}


def run_stack(stack: str, install_only: bool) -> dict:
    """Build or reuse a stack's venv and run its parts: the versions pip chose, each part's counts and seconds,
    whether all passed, the seconds in all."""
    start, python = time.monotonic(), build_env(stack)
    versions = json.loads(subprocess.run([python, "-c", VERSIONS], capture_output=True, text=True, check=True).stdout)
    print(f"[{stack}] installed: " + " ".join(f"{name} {version}" for name, version in versions.items()), flush=True)
    parts = {}
    for part in [] if install_only else PARTS:
        report, part_start = CACHE / stack / f"{part}.xml", time.monotonic()
        report.unlink(missing_ok=True)
        print(f"[{stack}] {part}: pytest {' '.join(PARTS[part])}", flush=True)
        subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--basetemp", CACHE / stack / f"tmp-{part}",
                        f"--junitxml={report}", *PARTS[part]], cwd=PROJECT_ROOT)
        parts[part] = {**junit_counts(report), "seconds": round(time.monotonic() - part_start)}
    passed = all(p["failed"] == p["errors"] == 0 and p["passed"] > 0 for p in parts.values())
    return {"versions": versions, "parts": parts, "passed": passed, "seconds": round(time.monotonic() - start)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", choices=PYTHONS, action="append", help="run this stack only (repeatable; default: both)")
    parser.add_argument("--install-only", action="store_true", help="build or reuse the venvs and print their versions; run no tests")
    args = parser.parse_args()
    with records.Measurement() as measured:
        stacks = {stack: run_stack(stack, args.install_only) for stack in args.stack or PYTHONS}
    print("\nCompatibility summary:")
    for stack, figures in stacks.items():
        parts = (f"{part} " + ", ".join(f"{n} {k}" for k, n in counts.items() if n) for part, counts in figures["parts"].items())
        print(f"{stack:9} {'PASS' if figures['passed'] else 'FAIL'}  " + " | ".join(parts))
    passed = all(figures["passed"] for figures in stacks.values())
    if not (args.stack or args.install_only):
        path = records.write("make_test_compat", {"command": "make test-compat", "passed": passed, "stacks": stacks}, measured)
        print(f"Wrote {path.relative_to(PROJECT_ROOT)}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
