"""Student copies of the notebooks: the same lessons and exercises, without solutions or outputs.

    .venv/bin/python scripts/make_student.py [--out student]      (make student)

Cells tagged ``solution`` are removed. Outputs are cleared too: the exercises ask learners to
predict before they run, and a copy that already shows every result gives the answers away.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def student_copy(notebook: dict) -> dict:
    """``notebook`` without its solution cells, and with every output and execution count cleared."""
    cells = []
    for cell in notebook["cells"]:
        if "solution" in cell.get("metadata", {}).get("tags", []):
            continue
        cell = dict(cell)
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        cells.append(cell)
    return {**notebook, "cells": cells}


def write_student_copies(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        target = out / path.name
        target.write_text(json.dumps(student_copy(json.loads(path.read_text())), indent=1, ensure_ascii=False) + "\n")
        written.append(target)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "student", help="folder for the copies (default: student/)")
    args = parser.parse_args()
    for path in write_student_copies(args.out):
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


if __name__ == "__main__":
    main()
