import json
import re
import threading

import papermill
import pytest

from scripts import runner
from helpers.params import ParameterError


def test_every_profile_is_valid_for_every_notebook():
    profiles = sorted(p.stem for p in runner.PARAMS_DIR.glob("*.yaml"))
    assert {"smoke", "workshop", "short", "tutorial", "long"} <= set(profiles)
    for profile in profiles:
        runner.load_profile(profile)  # checks what each notebook would be given


def test_each_notebook_gets_only_what_it_declares(tmp_path):
    profile = {"EPOCHS": 2, "TEMPERATURE": 0.5}
    assert runner.parameters_for("01_vectorize", profile, tmp_path) == {}
    assert runner.parameters_for("04_fit", profile, tmp_path) == {"EPOCHS": 2, "RUN_DIR": str(tmp_path / "model")}
    assert runner.parameters_for("05_generate", profile, tmp_path) == {
        "TEMPERATURE": 0.5, "RUN_DIR": str(tmp_path / "model"), "EXPORT_DIR": str(tmp_path / "export")}
    assert runner.parameters_for("06_custom_loop", {"06_custom_loop": {"EPOCHS": 1}}, tmp_path) == {
        "EPOCHS": 1, "RUN_DIR": str(tmp_path / "custom_loop"), "FIT_RUN_DIR": str(tmp_path / "model")}


def test_unknown_profile_and_bad_values_are_refused_before_any_work(tmp_path, monkeypatch):
    with pytest.raises(ParameterError, match="PROFILE='nope' has no file params/nope.yaml; choose one of: .*workshop"):
        runner.load_profile("nope")
    monkeypatch.setattr(runner, "PARAMS_DIR", tmp_path)
    for text, error in [("EPOCHS: 0\n", "EPOCHS=0 is not allowed"), ("04_fit:\n  EPOCHS: 0\n", "EPOCHS=0 is not allowed"),
                        ("EPOCS: 3\n", "EPOCS is not a parameter of these notebooks. Did you mean EPOCHS?"),
                        ("EPOCHS: [3\n", "bad.yaml is not a YAML mapping of NAME: value lines"),
                        ("- EPOCHS\n", "bad.yaml is not a YAML mapping of NAME: value lines")]:
        (tmp_path / "bad.yaml").write_text(text)
        with pytest.raises(ParameterError, match=error):
            runner.load_profile("bad")
    (tmp_path / "typo.yaml").write_text("04_fit:\n  TEMPERATURE: 0.5\n")
    with pytest.raises(ParameterError, match="04_fit has no parameter TEMPERATURE"):
        runner.run("typo", tmp_path / "runs")
    assert not (tmp_path / "runs").exists()


def test_runs_started_together_never_share_a_folder(tmp_path):
    made = []
    threads = [threading.Thread(target=lambda: made.append(runner.new_run_dir(tmp_path, "smoke"))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(made)) == 8 and all(path.is_dir() for path in made)


def test_main_reports_bad_profile_in_one_line(capsys):
    assert runner.main(["--profile", "nope"]) == 2
    assert capsys.readouterr().err.startswith("error: PROFILE='nope'")


def test_main_refuses_a_notebooks_folder_without_the_seven(tmp_path, capsys):
    assert runner.main(["--profile", "smoke", "--notebooks", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (f"error: --notebooks {tmp_path}: not a folder of the seven notebooks; "
                                       "use notebooks or notebooks/ja.\n")


@pytest.mark.end_to_end
def test_failing_notebook_stops_the_run_naming_it(corpus_path, tmp_path, monkeypatch, capfd):
    monkeypatch.setattr(runner, "PARAMS_DIR", tmp_path)
    (tmp_path / "broken.yaml").write_text("EPOCHS: 1\nMAX_STEPS_PER_EPOCH: 1\nDATA_PATH: /no/such/file.txt\n")
    with pytest.raises(runner.NotebookFailed) as failed:
        runner.run("broken", tmp_path / "runs")
    (path,) = (tmp_path / "runs").glob("*/01_vectorize.ipynb")
    assert re.fullmatch(r"01_vectorize.ipynb failed in cell \d+: CorpusError: /no/such/file.txt does not exist\..* "
                        rf"\(the executed notebook, with the error: {re.escape(str(path))}\)", str(failed.value))
    assert "without encryption" not in capfd.readouterr().err  # the kernel talks over private Unix sockets, not TCP
    executed = json.loads(path.read_text())
    errors = [o for c in executed["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert len(errors) == 1 and len(errors[0]["traceback"]) == 1  # one line for the learner, no stack trace
    assert errors[0]["traceback"][0].startswith("CorpusError: /no/such/file.txt does not exist.")


@pytest.mark.parametrize("notebook", runner.NOTEBOOKS)
def test_papermill_sees_every_parameter_with_its_help(notebook):
    nb = json.loads((runner.NOTEBOOK_DIR / f"{notebook}.ipynb").read_text())
    cells = [c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", [])]
    assert len(cells) == 1
    lines = [line for line in "".join(cells[0]["source"]).splitlines() if line.strip() and not line.startswith("#")]
    declared = [line.split(":")[0] for line in lines]
    assert set(papermill.inspect_notebook(runner.NOTEBOOK_DIR / f"{notebook}.ipynb")) == set(declared)
    assert all(" # " in line and ": " in line.split("=")[0] for line in lines)  # a type and a help text each
