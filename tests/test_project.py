"""The project's own files agree with each other: one list of dependencies, one set of tutorial defaults."""

from __future__ import annotations

import json
import tomllib

import yaml
from packaging.requirements import Requirement
from packaging.version import Version

from scripts import runner
from helpers.data import PROJECT_ROOT


def test_dependencies_are_listed_once_in_pyproject():
    """requirements.txt, a learner's install, is the package with its notebooks extra; the test tools are the test extra."""
    requirements = [line for line in (PROJECT_ROOT / "requirements.txt").read_text().splitlines()
                    if line.strip() and not line.startswith("#")]
    extras = set(tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"])
    assert extras == {"notebooks", "test"}
    assert requirements == ["-e .[notebooks]"]
    environment = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    assert environment["dependencies"][-1] == {"pip": ["-r requirements.txt"]}


def compat_pins(stack: str) -> dict[str, Version]:
    """The versions a `make test-compat` stack pins (params/compat/<stack>.txt), by package name."""
    pins = {}
    for line in (PROJECT_ROOT / "params" / "compat" / f"{stack}.txt").read_text().splitlines():
        requirement = line.split("#")[0].strip()
        if requirement:
            name, version = requirement.split("==")
            pins[name.strip().lower()] = Version(version)
    return pins


def test_the_declared_floors_are_the_versions_make_test_compat_runs():
    declared = [Requirement(r) for r in tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]]
    minimums, colab = compat_pins("minimums"), compat_pins("colab")
    for requirement in declared:
        floors = [Version(s.version) for s in requirement.specifier if s.operator == ">="]
        assert floors, f"pyproject.toml declares {requirement} without a floor"
        assert minimums.get(requirement.name.lower()) == max(floors), (
            f"pyproject.toml declares {requirement}, but params/compat/minimums.txt tests "
            f"{minimums.get(requirement.name.lower())}: the floor must be the version the minimums stack proves")
    for name, version in colab.items():
        requirement = next(r for r in declared if r.name.lower() == name)
        assert version in requirement.specifier, f"Colab's {name} {version} is outside pyproject.toml's {requirement}"


def parameters_cell(notebook: str) -> dict:
    """The defaults a notebook's parameters cell declares, evaluated as papermill would leave them."""
    cells = json.loads((runner.NOTEBOOK_DIR / f"{notebook}.ipynb").read_text())["cells"]
    source = next("".join(c["source"]) for c in cells if "parameters" in c["metadata"].get("tags", []))
    values: dict = {}
    exec(source, {"Optional": None}, values)  # noqa: S102  (the project's own committed cell)
    return {k: v for k, v in values.items() if k.isupper()}


def test_every_notebooks_defaults_agree_with_params_tutorial_yaml():
    tutorial = runner.load_profile("tutorial")
    for notebook in runner.NOTEBOOKS:
        expected = runner.parameters_for(notebook, tutorial, PROJECT_ROOT / "runs")
        for name in ("RUN_DIR", "EXPORT_DIR", "FIT_RUN_DIR"):  # set per run by the runner
            expected.pop(name, None)
        defaults = parameters_cell(notebook)
        differing = {k: (v, defaults[k]) for k, v in expected.items() if defaults[k] != v}
        assert not differing, f"{notebook}: params/tutorial.yaml and the parameters cell differ: {differing}"


def test_the_documents_figures_come_from_the_records_that_hold_them():
    """Every generated section of README.md, WORKSHOP.md and docs/ is what its record gives now: a
    hand edit of either side fails here."""
    from scripts.readme import current
    from scripts.readme_figures import SECTIONS

    for name, render in SECTIONS.items():
        assert current(name) == render(), f"run: .venv/bin/python -m scripts.readme_figures ({name})"


def test_only_test_notebooks_uses_the_smoke_run():
    """`make test` hands whole files to pytest-xdist's workers (--dist loadfile): the notebooks' smoke run
    happens once only while every test that uses it sits in one file."""
    import re

    def users(fixture: str) -> list[str]:
        return sorted(p.name for p in (PROJECT_ROOT / "tests").glob("test_*.py") if re.search(rf"\b{fixture}\b", p.read_text()))

    assert users("smoke_run") == ["test_notebooks.py", "test_project.py"]


def test_the_readme_starts_with_what_a_newcomer_needs():
    import helpers

    readme = (PROJECT_ROOT / "README.md").read_text()
    first_screen = readme[:readme.index("## The notebooks")]
    assert f"git clone {helpers.REPO_URL}" in first_screen
    for needed in ("<!-- sample: start -->", "<!-- commands: start -->", "make test", "make run", "Requirements:",
                   "colab.research.google.com/github/"):
        assert needed in first_screen, needed
    assert "<!-- notebooks-table: start -->" in readme and (PROJECT_ROOT / "LICENSE").read_text().count("Apache License") >= 1


# Words that describe a machine: instruction sets, 16-bit formats, processor and accelerator names, core
# counts, cuDNN and XLA's device names. None may appear in an output that nbval compares, or a notebook's
# check would pass on one kind of machine only.
HARDWARE_WORDS = (r"(?i:\b(avx\w*|amx\w*|fma|sse\d\w*|neon|\w*float16|\w*bf16|\w*fp16|cudnn|xla_\w+)\b)"
                  r"|\b(AMD|Intel|EPYC|Xeon|Ryzen|Graviton|NVIDIA|Tesla|GPU|TPU|T4|[AHLPV]100|L4|CPU only)\b"
                  r"|\b\d+ (cores?|CPUs?)\b|/device:|\b[CGT]PU:\d")


def compared_outputs(notebook: dict) -> list[tuple[int, str]]:
    """The text of every output nbval compares, by cell index, after tests/nbval_sanitize.cfg's rules."""
    import configparser
    import re

    rules = configparser.ConfigParser()
    rules.read(PROJECT_ROOT / "tests" / "nbval_sanitize.cfg")
    found = []
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code" or "nbval-ignore-output" in cell["metadata"].get("tags", []):
            continue
        for output in cell.get("outputs", []):
            if output.get("name") == "stderr":  # nbval_plugin compares stdout only
                continue
            data = output.get("data", {})
            text = "".join(output.get("text", "")) + output.get("evalue", "") + "".join(
                "".join(data.get(kind, "")) for kind in ("text/plain", "text/html", "text/markdown", "text/latex"))
            for section in rules.sections():
                text = re.sub(rules[section]["regex"], rules[section]["replace"], text)
            found.append((index, text))
    return found


def hardware_words(notebook: dict) -> list[str]:
    import re

    return [f"cell {index}: {match.group(0)!r}" for index, text in compared_outputs(notebook)
            for match in re.finditer(HARDWARE_WORDS, text)]


def test_no_compared_output_names_the_machine():
    """Both editions' committed outputs, as nbval compares them, hold no hardware word: `make test` passes on any machine."""
    notebooks = sorted(runner.NOTEBOOK_DIR.glob("*.ipynb")) + sorted((runner.NOTEBOOK_DIR / "ja").glob("*.ipynb"))
    assert len(notebooks) == 2 * len(runner.NOTEBOOKS)
    found = {path.relative_to(PROJECT_ROOT).as_posix(): hardware_words(json.loads(path.read_text())) for path in notebooks}
    assert not {name: words for name, words in found.items() if words}


def test_the_hardware_scan_finds_what_it_looks_for():
    def notebook(text: str, tags=()) -> dict:
        return {"cells": [{"cell_type": "code", "metadata": {"tags": list(tags)},
                           "outputs": [{"output_type": "stream", "name": "stdout", "text": [text]}]}]}

    for line in ("precision mixed_bfloat16 (a CPU with bfloat16 instructions (avx512_bf16))", "Accelerator: CPU only (2 cores)",
                 "GPU: Tesla T4", "uses cuDNN", "on /device:CPU:0", "16 bits (float16)", "an AMD EPYC", "8 cores",
                 "precision mixed_bfloat16 (as set)"):
        assert hardware_words(notebook(line)), line
    assert not hardware_words(notebook("GPU: Tesla T4", tags=["nbval-ignore-output"]))  # nbval ignores that cell
    assert not hardware_words(notebook("4,021,569 parameters, adam optimiser, precision float32 (as set)\nAnd there is our arms."))


def test_make_help_lists_every_target_with_its_purpose():
    import re
    import subprocess

    makefile = (PROJECT_ROOT / "Makefile").read_text()
    phony = set(re.search(r"^\.PHONY:((?:.*\\\n)*.*)", makefile, re.MULTILINE).group(1).replace("\\\n", " ").split())
    # --no-print-directory: under another make (make measure-ci runs make test) make would add "Entering directory" lines
    listed = subprocess.run(["make", "-s", "--no-print-directory", "help"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            check=True).stdout
    targets, times = listed.split("\n\n")
    rows = dict(line.removeprefix("make ").split(maxsplit=1) for line in targets.splitlines())
    assert set(rows) == phony and all(rows.values())
    # then each recorded time, with the kind of processor it was measured on
    recorded = json.loads((PROJECT_ROOT / "records" / "make_test_fresh_clone.json").read_text())
    for kind, record in recorded.items():
        assert f"make test: {record['seconds'] / 60:.0f} min from a fresh clone" in times and f"({kind}) × " in times
