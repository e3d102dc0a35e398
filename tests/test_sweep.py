import csv
import re

import pytest

from helpers.data import PROJECT_ROOT
from helpers.params import ParameterError
from helpers.progress import bits_per_char
from scripts.sweep import load_sweep, run_sweep


@pytest.mark.end_to_end
def test_a_sweep_runs_each_combination_records_failures_and_goes_on(corpus_path, tmp_path, capsys):
    sweep = tmp_path / "tiny.yaml"
    sweep.write_text("profile: smoke\nfixed: {EMBEDDING_DIM: 8, RNN_UNITS: 16}\n"
                     "grid:\n  LEARNING_RATE: [0.01, 1.0e+38]\n  NUM_LAYERS: [1]\n")
    sweep_dir = run_sweep(sweep, tmp_path / "runs")
    rows = list(csv.DictReader(open(sweep_dir / "results.csv")))
    assert [r["run"] for r in rows] == ["01-learning_rate=0.01-num_layers=1", "02-learning_rate=1e+38-num_layers=1"]
    assert float(rows[0]["best_val_loss"]) < 4.3 and rows[0]["best_epoch"] == "1" and not rows[0]["error"]
    # both columns are rounded to 4 decimals: the bits of the rounded loss are within 2e-4 of the rounded bits
    assert float(rows[0]["best_bits_per_char"]) == pytest.approx(bits_per_char(float(rows[0]["best_val_loss"])), abs=2e-4)
    diverged = r"04_fit.ipynb failed in cell \d+: TrainingDiverged: Training stopped in epoch 1: the loss became nan"
    assert re.match(diverged, rows[1]["error"]) and not rows[1]["best_val_loss"]  # recorded, and the sweep finished
    assert f"[2/2] {rows[1]['run']}: 04_fit.ipynb failed in cell" in capsys.readouterr().out
    assert (sweep_dir / "results.png").stat().st_size > 0 and (sweep_dir / rows[0]["run"] / "04_fit.ipynb").exists()
    assert (sweep_dir / rows[0]["run"] / "model" / "history.json").exists()  # the folder layout make best relies on


def test_the_shipped_sweeps_are_valid_and_bad_ones_are_refused(tmp_path):
    for path in sorted((PROJECT_ROOT / "params/sweeps").glob("*.yaml")):
        load_sweep(path)
    name, combinations, profiles = load_sweep(PROJECT_ROOT / "params/sweeps/workshop.yaml")
    assert name == "workshop" and len(combinations) == 4 and combinations[3] == {"DROPOUT": 0.2, "NUM_LAYERS": 2}
    assert profiles[3]["04_fit"] == {"EPOCHS": 3, "DROPOUT": 0.2, "NUM_LAYERS": 2}  # fixed and grid values outrank the profile's
    bad = tmp_path / "bad.yaml"
    for text, error in [("grid:\n  DROPOUT: [1.5]\n", "DROPOUT=1.5 is not allowed"),
                        ("grid:\n  TEMPERATURE: [0.5, 1.0]\n", "04_fit has no parameter TEMPERATURE"),
                        ("fixd: {EPOCHS: 3}\ngrid:\n  DROPOUT: [0.1]\n", "bad.yaml needs 'profile: NAME'"),
                        ("grid:\n  DROPOUT: 0.1\n", "bad.yaml needs 'profile: NAME'"),
                        ("grid: [DROPOUT\n", "bad.yaml is not a YAML mapping"),
                        ("profile: laptop\ngrid:\n  DROPOUT: [0.1]\n", "PROFILE='laptop' has no file")]:
        bad.write_text(text)
        with pytest.raises(ParameterError, match=error):
            load_sweep(bad)
    with pytest.raises(ParameterError, match="SWEEP='.*nope.yaml' does not exist; give a file such as"):
        load_sweep(tmp_path / "nope.yaml")
