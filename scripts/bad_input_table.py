"""Write the README's bad-input table from scripts/bad_input_cases.py (the cases the tests run).

    .venv/bin/python -m scripts.bad_input_table
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from scripts.readme import write_section

NAME = "bad-input-table"


def render(folder: Path) -> str:
    from scripts.bad_input_cases import CASES, message

    rows = ["| input | what you see |", "| --- | --- |"]
    for case in CASES:
        scratch = folder / f"case{len(rows)}"
        scratch.mkdir()
        rows.append(f"| {case.what} | {message(case, scratch).replace('|', chr(92) + '|')} |")
    return "\n".join(rows)


def main() -> None:
    import helpers

    helpers.quiet_tensorflow()
    with tempfile.TemporaryDirectory() as folder:
        write_section(NAME, render(Path(folder)))


if __name__ == "__main__":
    main()
