"""The documents' generated sections: each sits between <!-- NAME: start --> and <!-- NAME: end -->, in
README.md, WORKSHOP.md, their Japanese editions (*.ja.md) or a page of docs/; a section's name says which (names are unique)."""

from __future__ import annotations

from pathlib import Path

from helpers.data import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"


def documents() -> list[Path]:
    return [README, *(PROJECT_ROOT / name for name in ("README.ja.md", "WORKSHOP.md", "WORKSHOP.ja.md")),
            *sorted((PROJECT_ROOT / "docs").glob("*.md"))]


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}: start -->", f"<!-- {name}: end -->"


def document_of(name: str) -> Path:
    """The one document that holds section ``name``."""
    holders = [p for p in documents() if p.exists() and _markers(name)[0] in p.read_text()]
    if len(holders) != 1:
        raise LookupError(f"section {name!r} is in {len(holders)} documents: {[p.name for p in holders]}")
    return holders[0]


def section(text: str, name: str) -> str:
    start, end = _markers(name)
    return text.split(start, 1)[1].split(end, 1)[0].strip()


def current(name: str) -> str:
    """Section ``name`` as its document has it now."""
    return section(document_of(name).read_text(), name)


def write_section(name: str, body: str) -> None:
    """Replace section ``name`` in its document with ``body``."""
    path = document_of(name)
    start, end = _markers(name)
    before, rest = path.read_text().split(start, 1)
    path.write_text(f"{before}{start}\n{body}\n{end}{rest.split(end, 1)[1]}")
