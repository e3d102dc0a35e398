"""The notebook regression suite: the committed notebooks, re-run at smoke scale, must print
what they printed when they were committed, except outputs tagged nbval-ignore-output
(losses, timings, samples: they depend on scale or chance)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import papermill
import pytest

from helpers import runner

TESTS = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def smoke_copies(corpus_path, tmp_path_factory) -> list[Path]:
    """The six notebooks with params/smoke.yaml injected, committed outputs kept, one shared run folder."""
    folder = tmp_path_factory.mktemp("notebooks")
    profile = runner.load_profile("smoke")
    copies = []
    for notebook in runner.NOTEBOOKS:
        copy = folder / f"{notebook}.ipynb"
        papermill.execute_notebook(
            runner.NOTEBOOK_DIR / f"{notebook}.ipynb", copy, prepare_only=True, kernel_name="python3",
            parameters=runner.parameters_for(notebook, profile, folder / "run"), progress_bar=False,
        )
        copies.append(copy)
    return copies


def nbval(*notebooks: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "nbval_plugin", "-p", "no:cacheprovider",
         "--nbval", "--nbval-current-env", "--nbval-sanitize-with", str(TESTS / "nbval_sanitize.cfg"),
         "--rootdir", str(notebooks[0].parent), *map(str, notebooks)],
        capture_output=True, text=True, env=env, cwd=notebooks[0].parent,
    )


def test_committed_notebooks_have_outputs_and_smoke_copies_keep_them(smoke_copies):
    for copy in smoke_copies:
        committed = json.loads((runner.NOTEBOOK_DIR / copy.name).read_text())
        assert any(cell.get("outputs") for cell in committed["cells"]), f"{copy.name} was committed without outputs"
        prepared = json.loads(copy.read_text())
        assert sum(bool(c.get("outputs")) for c in prepared["cells"]) == sum(bool(c.get("outputs")) for c in committed["cells"])


def test_notebooks_reproduce_their_committed_outputs(smoke_copies):
    result = nbval(*smoke_copies)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_the_check_fails_when_a_committed_output_is_wrong(smoke_copies, tmp_path):
    altered = tmp_path / smoke_copies[0].name
    nb = json.loads(smoke_copies[0].read_text())
    changed = 0
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            text = "".join(output.get("text", ""))
            if "65 unique characters" in text:
                output["text"] = text.replace("65 unique characters", "66 unique characters")
                changed += 1
    assert changed == 1
    altered.write_text(json.dumps(nb))
    result = nbval(altered)
    assert result.returncode != 0
    assert "Cell outputs differ" in result.stdout and "+ 66 unique c" in result.stdout
    assert "1 failed, 8 passed" in result.stdout  # only the altered cell
