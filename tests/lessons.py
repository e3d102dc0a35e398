"""The notebooks' own code, for tests: lesson cells (tagged ``lesson``) and solution cells (tagged ``solution``).

A test runs such a cell in a namespace it prepares at toy size, then checks what the cell left
there: so the code a learner reads in a notebook is the code the suite checks.
"""

from __future__ import annotations

import json

from helpers import runner


def tagged(notebook: str, tag: str) -> list[str]:
    """The sources of ``notebook``'s code cells tagged ``tag``, in order."""
    cells = json.loads((runner.NOTEBOOK_DIR / f"{notebook}.ipynb").read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code" and tag in c["metadata"].get("tags", [])]


def run_cells(sources: list[str], namespace: dict) -> dict:
    """Execute cell sources in ``namespace``, as a kernel would run them one after another."""
    for source in sources:
        exec(compile(source, "<notebook cell>", "exec"), namespace)  # noqa: S102  (the project's own cells)
    return namespace
