import pytest

from scripts.bad_input_table import CASES, NAME, message, render
from scripts.readme import current


@pytest.mark.parametrize("case", CASES, ids=[c.what for c in CASES])
def test_each_bad_input_gets_one_clear_line(case, tmp_path):
    shown = message(case, tmp_path)
    assert case.expected in shown
    assert "\n" not in shown and "Traceback" not in shown


@pytest.mark.slow
def test_readme_table_is_generated_from_these_cases(tmp_path):
    assert current(NAME) == render(tmp_path), "run: .venv/bin/python -m scripts.bad_input_table"
