"""Write the README's bad-input table from tests/bad_input_cases.py (the cases the tests run).

    .venv/bin/python scripts/bad_input_table.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
START, END = "<!-- bad-input-table: start -->", "<!-- bad-input-table: end -->"
sys.path.insert(0, str(ROOT / "tests"))


def render(folder: Path) -> str:
    from bad_input_cases import CASES, message

    rows = ["| input | what you see |", "| --- | --- |"]
    for case in CASES:
        scratch = folder / f"case{len(rows)}"
        scratch.mkdir()
        rows.append(f"| {case.what} | {message(case, scratch).replace('|', chr(92) + '|')} |")
    return "\n".join(rows)


def section(text: str) -> str:
    return text.split(START, 1)[1].split(END, 1)[0].strip()


def main() -> None:
    text = README.read_text()
    with tempfile.TemporaryDirectory() as folder:
        table = render(Path(folder))
    before, rest = text.split(START, 1)
    README.write_text(f"{before}{START}\n{table}\n{END}{rest.split(END, 1)[1]}")


if __name__ == "__main__":
    main()
