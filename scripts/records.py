"""Measurement records: one JSON file per measured figure set in records/, holding one record per kind of processor
("AVX2", "AVX-512 BF16"), each stamped with its date, commit, machine and load (CONTRIBUTING: Figures and records)."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import threading
import time
from pathlib import Path

from helpers.data import PROJECT_ROOT

RECORDS = PROJECT_ROOT / "records"
QUALITY = RECORDS / "quality.json"  # the quality table: one row per configuration trained, each with its machine


def commit(where: Path = PROJECT_ROOT) -> str:
    """The git commit checked out in ``where``, with "+changes" when its tracked files differ; "unknown" outside git."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=where, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True,
                               cwd=where, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+changes" if dirty else "")


def utc(seconds: float | None = None) -> str:
    """A moment (``seconds`` since the epoch, or now) as records and provenance write it: ISO 8601 in UTC."""
    if seconds is None:
        seconds = time.time()
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).isoformat(timespec="seconds")


class Measurement:
    """What a record is stamped with: the machine and the commit measured (``where``'s), taken at the start, and
    the 1-minute load average, sampled every few seconds while the measurement runs."""

    def __init__(self, where: Path = PROJECT_ROOT, every: float = 5.0):
        import helpers

        helpers.quiet_tensorflow()  # describe_machine imports Keras: without TensorFlow's start-up notices
        from helpers.precision import describe_machine

        self.machine, self.commit = describe_machine(), commit(where)
        self.every, self.samples = every, [os.getloadavg()[0]]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(self.every):
            self.samples.append(os.getloadavg()[0])

    def __enter__(self) -> Measurement:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict:
        return {"before": round(self.samples[0], 2), "mean": round(sum(self.samples) / len(self.samples), 2),
                "max": round(max(self.samples), 2), "cores": os.cpu_count()}


def kind(record: dict) -> str:
    """The kind of processor a record was measured on, named by its fastest matrix instructions."""
    from helpers.precision import cpu_kind

    return cpu_kind(record["machine"].get("cpu_flags") or []) or "instruction set not recorded"


def write(name: str, figures: dict, measured: Measurement) -> Path:
    """records/<name>.json: the figures, stamped with the date, the commit, the machine and the load, in place of
    the record of the same kind of processor only."""
    RECORDS.mkdir(exist_ok=True)
    path = RECORDS / f"{name}.json"
    record = {"date": utc(), "commit": measured.commit, "machine": measured.machine, "load": measured.summary(), **figures}
    kinds = read_kinds(name) if path.exists() else {}
    kinds[kind(record)] = record
    path.write_text(json.dumps(kinds, indent=2, ensure_ascii=False) + "\n")
    return path


def read_kinds(name: str) -> dict[str, dict]:
    """records/<name>.json: its record for each kind of processor, by kind."""
    return json.loads((RECORDS / f"{name}.json").read_text())


def read(name: str) -> dict:
    """The newest record of records/<name>.json, whichever kind of processor it was measured on."""
    return max(read_kinds(name).values(), key=lambda record: record["date"])


# Minutes and seconds in each language of the documents.
UNITS = {"en": ("min", "s"), "ja": ("分", "秒")}


def minutes(seconds: float, language: str = "en") -> str:
    """A duration as a document shows it: minutes from 90 s on, in English or Japanese units."""
    minute, second = UNITS[language]
    return f"{seconds / 60:.0f} {minute}" if seconds >= 90 else f"{seconds:.0f} {second}"


def notebook_seconds(notebook: Path) -> float:
    """Seconds a committed notebook's cells ran, from the timings nbconvert stored with their outputs."""
    total = 0.0
    for cell in json.loads(notebook.read_text())["cells"]:
        timing = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in timing and "shell.execute_reply" in timing:
            total += (datetime.datetime.fromisoformat(timing["shell.execute_reply"]) -
                      datetime.datetime.fromisoformat(timing["iopub.execute_input"])).total_seconds()
    return total


def tutorial_row() -> dict:
    """quality.json's row of the committed 04's run (runs/tutorial): its parameters and machine."""
    return next(r for r in json.loads(QUALITY.read_text()) if r["name"] == "tutorial")
