"""A training process killed mid-epoch (SIGKILL, as when a laptop lid closes) resumes when run again."""

import json
import signal
import subprocess
import sys
import time

import pytest
from conftest import env_importing_lessons

TRAIN = """
import sys, time
import helpers
helpers.quiet_tensorflow()  # before Keras imports TensorFlow
import keras
from helpers.data import load_text
from helpers.dataset import make_dataset, train_val_split
from helpers.rundir import save_run
from lessons import compiled_04, fit_04
from helpers.vocab import Vocab

run_dir, epochs = sys.argv[1], int(sys.argv[2])
keras.utils.set_random_seed(0)
text = load_text()
vocab = Vocab.from_text(text)
train, val = train_val_split(vocab.encode(text[:40_000]))
model = compiled_04(vocab)
save_run(run_dir, model, vocab)

# each epoch stretched to about a second, so that the kill lands inside one
fit_04(model, make_dataset(train, 30, 16, 500, seed=0, max_batches=4), make_dataset(val, 30, 16, None), epochs, run_dir,
       batch_seconds=0.25)
print("finished")
"""


def epochs_done(run_dir):
    try:
        return json.loads((run_dir / "history.json").read_text())["epoch"]
    except (FileNotFoundError, json.JSONDecodeError, KeyError):
        return []


@pytest.mark.end_to_end
def test_killed_training_resumes_with_its_history(corpus_path, tmp_path):
    script = tmp_path / "train.py"
    script.write_text(TRAIN)
    run_dir = tmp_path / "run"
    process = subprocess.Popen([sys.executable, str(script), str(run_dir), "6"], stdout=subprocess.PIPE, text=True,
                               env=env_importing_lessons())
    deadline = time.monotonic() + 120
    while len(epochs_done(run_dir)) < 2 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    time.sleep(0.5)  # into the next epoch
    process.send_signal(signal.SIGKILL)
    process.wait()
    before = json.loads((run_dir / "history.json").read_text())
    assert 2 <= len(before["epoch"]) < 6, "the kill should land mid-run"

    resumed = subprocess.run([sys.executable, str(script), str(run_dir), "6"], capture_output=True, text=True, timeout=300,
                             env=env_importing_lessons())
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f"Resuming {run_dir} after epoch {before['epoch'][-1]} of 6." in resumed.stdout
    after = json.loads((run_dir / "history.json").read_text())
    assert after["epoch"] == [1, 2, 3, 4, 5, 6]
    assert after["loss"][: len(before["loss"])] == before["loss"]  # the finished epochs are kept as they were
