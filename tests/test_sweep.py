import csv

import pytest

from helpers.params import ParameterError
from helpers.progress import bits_per_char
from scripts.sweep import load_sweep, run_sweep


@pytest.mark.end_to_end
def test_a_sweep_runs_each_combination_records_failures_and_goes_on(corpus_path, tmp_path):
    sweep = tmp_path / "tiny.yaml"
    sweep.write_text("profile: smoke\nfixed: {EMBEDDING_DIM: 8, RNN_UNITS: 16}\n"
                     "grid:\n  LEARNING_RATE: [0.01, 1.0e+38]\n  NUM_LAYERS: [1]\n")
    lines = []
    sweep_dir = run_sweep(sweep, tmp_path / "runs", print_fn=lambda *a, **k: lines.append(a[0]))
    rows = list(csv.DictReader(open(sweep_dir / "results.csv")))
    assert [r["run"] for r in rows] == ["01-learning_rate=0.01-num_layers=1", "02-learning_rate=1e+38-num_layers=1"]
    assert float(rows[0]["best_val_loss"]) < 4.3 and rows[0]["best_epoch"] == "1" and not rows[0]["error"]
    assert rows[1]["error"].startswith("TrainingDiverged: Training stopped in epoch 1: the loss became nan")
    # both columns are rounded to 4 decimals: the bits of the rounded loss are within 2e-4 of the rounded bits
    assert float(rows[0]["best_bits_per_char"]) == pytest.approx(bits_per_char(float(rows[0]["best_val_loss"])), abs=2e-4)
    assert rows[1]["error"] and not rows[1]["best_val_loss"]  # diverged: recorded, and the sweep finished
    assert (sweep_dir / "results.png").stat().st_size > 0 and (sweep_dir / rows[0]["run"] / "04_fit.ipynb").exists()


def test_the_shipped_sweep_is_valid_and_a_bad_one_is_refused(tmp_path):
    name, base, combinations = load_sweep(__import__("helpers").data.PROJECT_ROOT / "params/sweeps/workshop.yaml")
    assert name == "workshop" and base["EPOCHS"] == 3 and len(combinations) == 4
    bad = tmp_path / "bad.yaml"
    bad.write_text("grid:\n  DROPOUT: [1.5]\n")
    with pytest.raises(ParameterError, match="DROPOUT=1.5 is not allowed"):
        load_sweep(bad)
