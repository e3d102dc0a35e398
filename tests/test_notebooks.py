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
    """The seven notebooks with params/smoke.yaml injected, committed outputs kept, one shared run folder."""
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
    assert "1 failed, 13 passed" in result.stdout  # only the altered cell of 01's 14 code cells


def execute(notebook: str, output: Path, **parameters) -> dict:
    """Run one committed notebook with papermill at the given parameters; the executed notebook as JSON."""
    papermill.execute_notebook(runner.NOTEBOOK_DIR / f"{notebook}.ipynb", output, parameters=parameters,
                               cwd=runner.NOTEBOOK_DIR, kernel_name="python3", progress_bar=False)
    return json.loads(output.read_text())


def printed(executed: dict) -> str:
    return "".join("".join(o.get("text", "")) for c in executed["cells"] for o in c.get("outputs", [])
                   if o["output_type"] == "stream")


SMOKE = {"EPOCHS": 1, "MAX_STEPS_PER_EPOCH": 2, "EMBEDDING_DIM": 8, "RNN_UNITS": 16}


def test_fit_prints_a_romeo_sample_after_every_epoch_and_refuses_a_changed_rerun(corpus_path, tmp_path):
    run_dir = str(tmp_path / "run")
    out = printed(execute("04_fit", tmp_path / "04.ipynb", **{**SMOKE, "EPOCHS": 2}, RUN_DIR=run_dir))
    assert "Epoch 1/2 · " in out and "Epoch 2/2 · " in out
    assert out.count("\n    ROMEO: ") == 2  # one sample per epoch, indented under its epoch line
    with pytest.raises(papermill.PapermillExecutionError, match="LEARNING_RATE is 0.001 there, 0.01 here"):
        execute("04_fit", tmp_path / "04-again.ipynb", **{**SMOKE, "EPOCHS": 2}, RUN_DIR=run_dir, LEARNING_RATE=0.01)


def test_generate_falls_back_to_the_pretrained_model_and_says_so(tmp_path):
    out = printed(execute("05_generate", tmp_path / "05.ipynb", RUN_DIR=str(tmp_path / "empty"), NUM_GENERATE=50,
                          EXPORT_DIR=str(tmp_path / "export")))
    assert f"{tmp_path / 'empty'} holds no trained model yet, so this uses the project's pretrained model (pretrained/, epoch" in out
    assert "\nROMEO: " in out


def test_notebooks_01_to_05_run_on_a_17k_text_of_your_own(tmp_path):
    line = "Wer reitet so spät durch Nacht und Wind? Es ist der Vater mit seinem Kind; «Ça va», ő mondta.\n"
    own = tmp_path / "own.txt"
    own.write_text((line * 200)[:17_000], encoding="utf-8")
    run_dir = str(tmp_path / "run")
    for notebook in runner.NOTEBOOKS[:5]:
        parameters = {"DATA_PATH": str(own)} if "DATA_PATH" in runner.notebook_parameters(notebook) else {}
        if notebook == "04_fit":
            parameters.update(SMOKE, RUN_DIR=run_dir)
        if notebook == "05_generate":
            parameters.update(RUN_DIR=run_dir, START_STRING="Wer ", NUM_GENERATE=50, EXPORT_DIR=str(tmp_path / "export"))
        execute(notebook, tmp_path / f"{notebook}.ipynb", **parameters)
    assert "Loaded " in printed(json.loads((tmp_path / "05_generate.ipynb").read_text()))


def test_setup_cells_and_badges_agree_with_the_one_repository_url():
    import helpers

    repo_path = helpers.REPO_URL.removeprefix("https://github.com/")
    for notebook in runner.NOTEBOOKS:
        cells = json.loads((runner.NOTEBOOK_DIR / f"{notebook}.ipynb").read_text())["cells"]
        sources = ["".join(c["source"]) for c in cells]
        badge = f"https://colab.research.google.com/github/{repo_path}/blob/main/notebooks/{notebook}.ipynb"
        assert badge in sources[0], f"{notebook}: the Colab badge does not point to {badge}"
        setup = [s for s in sources if "REPO_URL = " in s]
        assert len(setup) == 1 and f'REPO_URL = "{helpers.REPO_URL}"' in setup[0], f"{notebook}: setup cell"
        assert setup[0] == sources[2], f"{notebook}: the setup cell should be the third cell"
    first = "".join(json.loads((runner.NOTEBOOK_DIR / "01_vectorize.ipynb").read_text())["cells"][2]["source"])
    for notebook in runner.NOTEBOOKS[1:]:
        assert "".join(json.loads((runner.NOTEBOOK_DIR / f"{notebook}.ipynb").read_text())["cells"][2]["source"]) == first


def test_student_copies_have_no_solutions_and_still_run(corpus_path, tmp_path):
    from scripts.make_student import write_student_copies

    copies = write_student_copies(tmp_path / "student")
    assert [p.stem for p in copies] == list(runner.NOTEBOOKS)
    originals = {nb: json.loads((runner.NOTEBOOK_DIR / f"{nb}.ipynb").read_text()) for nb in runner.NOTEBOOKS}
    assert sum("solution" in c["metadata"].get("tags", []) for nb in originals.values() for c in nb["cells"]) > 0
    profile = runner.load_profile("smoke")
    for copy in copies:
        cells = json.loads(copy.read_text())["cells"]
        assert not any("solution" in c["metadata"].get("tags", []) or "#@title Solution" in "".join(c["source"]) for c in cells)
        assert not any(c.get("outputs") for c in cells)
        papermill.execute_notebook(copy, tmp_path / f"ran-{copy.name}", cwd=runner.NOTEBOOK_DIR, kernel_name="python3",
                                   parameters=runner.parameters_for(copy.stem, profile, tmp_path / "run"), progress_bar=False)


def test_a_broken_solution_fails_the_suite(smoke_copies, tmp_path):
    broken = tmp_path / smoke_copies[0].name
    nb = json.loads(smoke_copies[0].read_text())
    solution = next(c for c in nb["cells"] if "solution" in c["metadata"].get("tags", []))
    solution["source"] = "#@title Solution\nprint(unknown_name)\n"
    broken.write_text(json.dumps(nb))
    result = nbval(broken)
    assert result.returncode != 0 and "NameError" in result.stdout
