"""The notebooks' own code, for tests: lesson cells (tagged ``lesson``) and solution cells (tagged ``solution``).

A test runs such a cell in a namespace it prepares at toy size, then checks what the cell left
there: so the code a learner reads in a notebook is the code the suite checks.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
from pathlib import Path

from scripts import runner


def tagged(notebook: str, tag: str) -> list[str]:
    """The sources of ``notebook``'s code cells tagged ``tag``, in order."""
    cells = json.loads((runner.NOTEBOOK_DIR / f"{notebook}.ipynb").read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code" and tag in c["metadata"].get("tags", [])]


def run_cells(sources: list[str], namespace: dict) -> dict:
    """Execute cell sources in ``namespace``, as a kernel would run them one after another."""
    for source in sources:
        exec(compile(source, "<notebook cell>", "exec"), namespace)  # noqa: S102  (the project's own cells)
    return namespace


# 04's parameters at toy size: the compile cell reads them (build_for_training through globals()), the fit cell some of them.
FIT_DEFAULTS = dict(EPOCHS=2, LEARNING_RATE=1e-3, LR_SCHEDULE="constant", CLIP_NORM=None, STRATEGY="default", EMBEDDING_DIM=8,
                    RNN_UNITS=16, RNN_TYPE="gru", NUM_LAYERS=1, DROPOUT=0.0, GRU_IMPL="auto", PRECISION="float32",
                    CARRY_STATE=False, BATCH_SIZE=16)


def compiled_04(vocab, train_ds=None, **parameters):
    """A model built and compiled by notebook 04's compile cell, with ``FIT_DEFAULTS`` overridden by ``parameters``
    (``CARRY_STATE=True`` with the training batches' ``BATCH_SIZE``: the model then carries its state, and ``fit_04``'s
    watchers reset it at each epoch's start)."""
    import keras

    ns = {"keras": keras, "vocab": vocab, "train_ds": train_ds, **FIT_DEFAULTS, **parameters}
    with contextlib.redirect_stdout(io.StringIO()):  # its one line on the parameters
        return run_cells(tagged("04_fit", "lesson")[:1], ns)["model"]


def fit_04(model, train_ds, val_ds, epochs: int, run_dir, vocab=None, patience: int | None = None, advise: bool = False,
           batch_seconds: float = 0.0) -> dict:
    """Notebook 04's checkpoint and fit cells on a compiled ``model``; returns the run's history, resumed epochs included.

    ``advise`` lets 04 say how long the epochs left will take, which it does only for runs not capped by
    MAX_STEPS_PER_EPOCH. ``batch_seconds`` stretches each batch to at least that long, so that a test's kill lands
    inside an epoch.
    """
    import keras

    ns = {"keras": keras, "model": model, "train_ds": train_ds, "val_ds": val_ds, "run_dir": Path(run_dir), "vocab": vocab,
          "EPOCHS": epochs, "PATIENCE": patience, "MAX_STEPS_PER_EPOCH": None if advise else 1}
    checkpoint, fit = tagged("04_fit", "lesson")[1:]
    run_cells([checkpoint], ns)
    if batch_seconds:
        class Slow(ns["Checkpoint"]):
            def on_train_batch_end(self, batch, logs=None):
                time.sleep(batch_seconds)

        ns["Checkpoint"] = Slow
    return run_cells([fit], ns)["history"]
