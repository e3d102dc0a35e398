"""The notebook regression suite. The seven notebooks run once, at smoke scale, by the runner (the
``smoke_run`` fixture); nbval then compares what each cell printed with what the committed notebook
shows, except outputs tagged nbval-ignore-output (losses, timings, samples: they depend on scale or
chance). The runner's run folder and the student copies are checked on the same run. The remaining
tests run single notebooks where a behaviour needs other parameters.

Every test that uses the smoke run is in this file: `make test` spreads the suite over the cores
file by file (pytest-xdist's --dist loadfile), so the run happens once. Notebooks run at other
parameters, which need no smoke run, are in tests/test_own_text.py: another worker runs them meanwhile."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scripts import runner

TESTS = Path(__file__).resolve().parent

pytestmark = pytest.mark.end_to_end


def nbval(references: list[Path], executed: Path) -> subprocess.CompletedProcess:
    """nbval's check of each reference notebook against the copy of the same name already executed in ``executed``."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "nbval_plugin", "-p", "no:cacheprovider", "-p", "no:xdist",
         "--nbval", "--nbval-current-env", "--nbval-sanitize-with", str(TESTS / "nbval_sanitize.cfg"),
         "--nbval-replay", str(executed), "--rootdir", str(references[0].parent), *map(str, references)],
        capture_output=True, text=True, env=env, cwd=references[0].parent,
    )


def committed(notebook: str) -> dict:
    return json.loads((runner.NOTEBOOK_DIR / f"{notebook}.ipynb").read_text())


def code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def is_solution(cell: dict) -> bool:
    return "solution" in cell["metadata"].get("tags", [])


def test_every_committed_cell_ran_in_the_smoke_run_solutions_included(smoke_run):
    for notebook in runner.NOTEBOOKS:
        nb = committed(notebook)
        assert any(cell.get("outputs") for cell in nb["cells"]), f"{notebook} was committed without outputs"
        ran = {c["id"]: c for c in code_cells(json.loads((smoke_run.folder / f"{notebook}.ipynb").read_text()))}
        for cell in code_cells(nb):
            assert ran[cell["id"]]["execution_count"] is not None, f"{notebook}: cell {cell['id']} did not run"
        assert any(is_solution(c) for c in code_cells(nb)), f"{notebook} has no solution cell to run"


def test_notebooks_reproduce_their_committed_outputs(smoke_run):
    result = nbval([runner.NOTEBOOK_DIR / f"{nb}.ipynb" for nb in runner.NOTEBOOKS], smoke_run.folder)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert f"{sum(len(code_cells(committed(nb))) for nb in runner.NOTEBOOKS)} passed" in result.stdout


def test_the_check_fails_when_a_committed_output_is_wrong_or_a_cell_raised(smoke_run, tmp_path):
    nb = committed("01_vectorize")
    changed = 0
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            text = "".join(output.get("text", ""))
            if "65 unique characters" in text:
                output["text"] = text.replace("65 unique characters", "66 unique characters")
                changed += 1
    assert changed == 1
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "01_vectorize.ipynb").write_text(json.dumps(nb))
    result = nbval([tmp_path / "reference" / "01_vectorize.ipynb"], smoke_run.folder)
    assert result.returncode != 0
    assert "Cell outputs differ" in result.stdout and "+ 66 unique c" in result.stdout
    assert f"1 failed, {len(code_cells(nb)) - 1} passed" in result.stdout  # only the altered cell

    ran = json.loads((smoke_run.folder / "01_vectorize.ipynb").read_text())  # as if a solution had raised
    solution = next(c for c in ran["cells"] if is_solution(c))
    solution["outputs"] = [{"output_type": "error", "ename": "NameError", "evalue": "name 'unknown' is not defined",
                            "traceback": ["NameError: name 'unknown' is not defined"]}]
    (tmp_path / "executed").mkdir()
    (tmp_path / "executed" / "01_vectorize.ipynb").write_text(json.dumps(ran))
    result = nbval([runner.NOTEBOOK_DIR / "01_vectorize.ipynb"], tmp_path / "executed")
    assert result.returncode != 0 and "Cell execution caused an exception" in result.stdout and "NameError" in result.stdout


def test_smoke_run_writes_notebooks_and_summary(smoke_run):
    assert "Epoch 1/1 · " in smoke_run.stdout and "\n    ROMEO: " in smoke_run.stdout  # 04's epoch line and sample, as it trains
    assert "without encryption" not in smoke_run.stderr  # the kernels talk over private Unix sockets, not TCP
    assert "oneDNN" not in smoke_run.stderr  # TensorFlow's start-up notices stay hidden
    assert sorted(p.name for p in smoke_run.folder.glob("*.ipynb")) == [f"{nb}.ipynb" for nb in runner.NOTEBOOKS]
    summary = json.loads((smoke_run.folder / "summary.json").read_text())
    assert summary["profile"] == "smoke" and summary["epochs"] == 1
    assert summary["parameters"]["EPOCHS"] == 1 and summary["parameters"]["RNN_UNITS"] == 64
    assert 3.0 < summary["final_loss"] < 5.0 and summary["final_val_loss"] > 0
    assert len(summary["sample"]) >= 500 and summary["sample"].startswith("ROMEO: ")


def test_resume_runs_the_notebooks_again_into_the_same_folder(smoke_run, tmp_path, monkeypatch):
    """What --resume hands each notebook; what 04 then does with a run that has stopped is tested on 04 alone
    (test_notebooks.py)."""
    run_dir = tmp_path / smoke_run.folder.name
    shutil.copytree(smoke_run.folder, run_dir)
    calls = []
    monkeypatch.setattr(runner, "execute", lambda notebook, parameters, folder, source: calls.append((notebook, parameters, folder)))
    assert runner.main(["--resume", str(run_dir)]) == 0
    profile = runner.load_profile("smoke")
    assert calls == [(nb, runner.parameters_for(nb, profile, run_dir), run_dir) for nb in runner.NOTEBOOKS]
    assert calls[3][1]["RUN_DIR"] == str(run_dir / "model")  # 04 finds the checkpoints it wrote
    assert json.loads((run_dir / "summary.json").read_text())["epochs"] == 1
    assert runner.main(["--resume", str(tmp_path)]) == 2  # not a run folder: one line, no work


def test_setup_cells_and_badges_agree_with_the_one_repository_url():
    import helpers

    repo_path = helpers.REPO_URL.removeprefix("https://github.com/")
    for notebook in runner.NOTEBOOKS:
        sources = ["".join(c["source"]) for c in committed(notebook)["cells"]]
        badge = f"https://colab.research.google.com/github/{repo_path}/blob/main/notebooks/{notebook}.ipynb"
        assert badge in sources[0], f"{notebook}: the Colab badge does not point to {badge}"
        setup = [s for s in sources if "REPO_URL = " in s]
        assert len(setup) == 1 and f'REPO_URL = "{helpers.REPO_URL}"' in setup[0], f"{notebook}: setup cell"
        assert setup[0] == sources[2], f"{notebook}: the setup cell should be the third cell"
    first = "".join(committed("01_vectorize")["cells"][2]["source"])
    for notebook in runner.NOTEBOOKS[1:]:
        assert "".join(committed(notebook)["cells"][2]["source"]) == first


def names(source: str) -> tuple[set[str], set[str]]:
    """The global names a cell binds, and every name it reads (IPython's %magics and !commands left out)."""
    tree = ast.parse("\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))))
    bound: set[str] = set()
    used: set[str] = set()

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Name):
                if isinstance(child.ctx, ast.Load):
                    used.add(child.id)
                elif top:
                    bound.add(child.id)
            elif isinstance(child, (ast.Import, ast.ImportFrom)):
                bound.update((alias.asname or alias.name).split(".")[0] for alias in child.names if top)
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if top:
                    bound.add(child.name)
                visit(child, False)
            else:
                visit(child, top)

    visit(tree, True)
    return bound, used


def needed_from_solutions(cells: list[dict]) -> set[str]:
    """Names that a cell which is not a solution reads, but only a solution cell before it defines."""
    only_in_solutions: set[str] = set()
    needed: set[str] = set()
    for cell in cells:
        bound, used = names("".join(cell["source"]))
        if is_solution(cell):
            only_in_solutions |= bound
        else:
            only_in_solutions -= bound
            needed |= used & only_in_solutions
    return needed


@pytest.mark.parametrize("edition", ["", "ja"])
def test_student_copies_have_no_solutions_or_outputs_and_need_nothing_a_solution_defines(smoke_run, tmp_path, edition):
    """A student copy is its notebook minus the solution cells. The smoke run ran every other cell of the
    original; so the copy runs too if none of those cells reads a name that only a solution defines. The
    Japanese edition's code is the English program, comments and strings aside (tests/test_ja.py), so the same holds for its copies."""
    from scripts.make_student import write_student_copies

    copies = write_student_copies(tmp_path / "student", edition)
    assert [p.stem for p in copies] == list(runner.NOTEBOOKS)
    for copy in copies:
        original = json.loads((runner.NOTEBOOK_DIR / edition / copy.name).read_text())
        cells = json.loads(copy.read_text())["cells"]
        assert not any(is_solution(c) or re.search(r"#@title (Solution|解答)", "".join(c["source"])) for c in cells)
        assert not any(c.get("outputs") or c.get("execution_count") for c in cells if c["cell_type"] == "code")
        assert [c["source"] for c in cells] == [c["source"] for c in original["cells"] if not is_solution(c)]
        assert needed_from_solutions(code_cells(original)) == set(), copy.stem
    leaky = [{"source": "answer = 42", "metadata": {"tags": ["solution"]}}, {"source": "print(answer)", "metadata": {}}]
    assert needed_from_solutions(leaky) == {"answer"}  # the check bites
