"""Student copies of the notebooks: the same lessons and exercises, without solutions or outputs.

    .venv/bin/python -m scripts.make_student [--edition ja] [--out FOLDER]      (make student [EDITION=ja])

The exercises ask learners to predict before they run: a copy that shows the results gives the answers away.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ClearOutputPreprocessor, TagRemovePreprocessor

from helpers.data import PROJECT_ROOT
from scripts.runner import NOTEBOOK_DIR, NOTEBOOKS


def student_copy(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``notebook`` without its solution cells, and with every output and execution count cleared."""
    notebook, _ = TagRemovePreprocessor(remove_cell_tags={"solution"}).preprocess(notebook, {})
    notebook, _ = ClearOutputPreprocessor().preprocess(notebook, {})
    return notebook


def write_student_copies(out: Path, edition: str = "") -> list[Path]:
    """A student copy of each notebook of ``edition`` ("" for English, "ja") in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in NOTEBOOKS:
        target = out / f"{name}.ipynb"
        nbformat.write(student_copy(nbformat.read(NOTEBOOK_DIR / edition / target.name, as_version=4)), target)
        written.append(target)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edition", choices=["", "ja"], default="", help="ja: the Japanese edition (default: English)")
    parser.add_argument("--out", type=Path, help="folder for the copies (default: student/, or student/ja/)")
    args = parser.parse_args()
    for path in write_student_copies(args.out or PROJECT_ROOT / "student" / args.edition, args.edition):
        print(f"wrote {path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path}")


if __name__ == "__main__":
    main()
