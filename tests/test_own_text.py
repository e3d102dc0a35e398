"""Notebooks 04 and 05 at parameters of their own, each run by papermill in a kernel: the smoke run
(tests/test_notebooks.py) runs all seven once at params/smoke.yaml; these need no smoke run, so
another worker runs them meanwhile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts import runner

pytestmark = pytest.mark.end_to_end


def execute(notebook: str, output: Path, **parameters) -> dict:
    """Run one committed notebook with papermill at the given parameters; the executed notebook as JSON."""
    import papermill  # here: `make test-fast` collects this file, and need not load papermill

    papermill.execute_notebook(runner.NOTEBOOK_DIR / f"{notebook}.ipynb", output, parameters=parameters,
                               cwd=runner.NOTEBOOK_DIR, kernel_name="python3", progress_bar=False)
    return json.loads(output.read_text())


def printed(executed: dict) -> str:
    return "".join("".join(o.get("text", "")) for c in executed["cells"] for o in c.get("outputs", [])
                   if o["output_type"] == "stream")


SMOKE = {"EPOCHS": 1, "MAX_STEPS_PER_EPOCH": 2, "EMBEDDING_DIM": 8, "RNN_UNITS": 16}


def test_04_and_05_on_a_text_of_your_own_sample_refuse_a_changed_run_and_load(tmp_path):
    """04 and 05 on a 17 KB text that is not Shakespeare, with characters the corpus lacks: 04 samples each
    epoch and refuses to continue its run with other settings; 05 loads what it trained.
    (01-03 only read the text; the smoke run runs them, and tests/test_lessons.py their lesson cells. 04's resume,
    the cells it runs, is tests/test_resume.py's, after a kill.)"""
    line = "Wer reitet so spät durch Nacht und Wind? Es ist der Vater mit seinem Kind; «Ça va», ő mondta.\n"
    own = tmp_path / "own.txt"
    own.write_text((line * 200)[:17_000], encoding="utf-8")
    run_dir = str(tmp_path / "run")
    fit = {**SMOKE, "DATA_PATH": str(own), "RUN_DIR": run_dir}
    out = printed(execute("04_fit", tmp_path / "04.ipynb", **{**fit, "EPOCHS": 2}))
    lines = out.splitlines()
    epochs = [i for i, text in enumerate(lines) if text.startswith(("Epoch 1/2 · ", "Epoch 2/2 · "))]
    assert len(epochs) == 2
    # one sample per epoch, indented under its epoch line; with no "ROMEO: " in this vocabulary it starts from "\n"
    assert all(lines[i + 1] == "    " and lines[i + 2].startswith("    ") for i in epochs), out[-2000:]
    assert json.loads((Path(run_dir) / "history.json").read_text())["epoch"] == [1, 2]
    from papermill import PapermillExecutionError

    with pytest.raises(PapermillExecutionError, match="LEARNING_RATE is 0.001 there, 0.01 here"):
        execute("04_fit", tmp_path / "04-again.ipynb", **{**fit, "EPOCHS": 3}, LEARNING_RATE=0.01)
    out = printed(execute("05_generate", tmp_path / "05.ipynb", DATA_PATH=str(own), RUN_DIR=run_dir, START_STRING="Wer ",
                          NUM_GENERATE=50, EXPORT_DIR=str(tmp_path / "export")))
    assert f"Loaded {run_dir}, epoch " in out
