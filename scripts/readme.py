"""The README's generated sections: each sits between <!-- NAME: start --> and <!-- NAME: end -->."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}: start -->", f"<!-- {name}: end -->"


def section(text: str, name: str) -> str:
    start, end = _markers(name)
    return text.split(start, 1)[1].split(end, 1)[0].strip()


def write_section(name: str, body: str) -> None:
    """Replace the README's section ``name`` with ``body``."""
    start, end = _markers(name)
    before, rest = README.read_text().split(start, 1)
    README.write_text(f"{before}{start}\n{body}\n{end}{rest.split(end, 1)[1]}")
