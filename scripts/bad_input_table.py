"""The bad inputs a workshop meets, each with the one line the user sees, written as docs/errors.md's table.

    .venv/bin/python -m scripts.bad_input_table

tests/test_bad_inputs.py runs every case and checks the table is current. A case imports TensorFlow only when it
runs, so that this command can quiet TensorFlow's start-up notices first.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Callable, NamedTuple

from helpers.data import load_text
from helpers.errors import UserError
from helpers.params import check_value
from scripts.runner import load_profile
from helpers.vocab import Vocab
from scripts.readme import write_section

NAME = "bad-input-table"


class Case(NamedTuple):
    what: str  # the input, as the user would describe it
    trigger: Callable[[Path], object]  # given a scratch folder, does what the user did
    expected: str  # a fragment the message must contain


def _file(folder: Path, content: bytes) -> Path:
    path = folder / "input.txt"
    path.write_bytes(content)
    return path


def _no_tpu(folder: Path):
    from helpers.distribute import make_strategy

    return make_strategy("tpu")


def _truncated_corpus(folder: Path):
    (folder / "shakespeare.txt").write_text("First Citizen:\nBefore we proceed")
    return load_text(cache_dir=folder)


def _datasets(copies: int, batch_size: int, val_fraction: float):
    """Training and validation sets of SEQ_LENGTH 100 from ``copies`` lines of Hamlet."""
    from helpers.dataset import train_val_datasets

    text = "To be, or not to be: that is the question.\n" * copies
    return train_val_datasets(Vocab.from_text(text).encode(text), 100, batch_size, 10_000, val_fraction)


def _load_run(folder: Path):
    from helpers.rundir import load_run

    return load_run(folder)


def _rerun(folder: Path, there: dict, here: dict):
    """Train into ``folder`` with the parameters ``there``, then start again there with ``here``;
    RNN_UNITS and PRECISION also choose the model, as in notebook 04."""
    from helpers.model import build_model
    from helpers.rundir import checkpoint_path, save_run, save_weights_atomically

    vocab = Vocab.from_text("abc")
    for params in (there, here):
        model = build_model(3, 4, params.get("RNN_UNITS", 8), precision=params.get("PRECISION", "float32"))
        save_run(folder, model, vocab, {"EPOCHS": 10, **params}, text="abc")
        save_weights_atomically(model, checkpoint_path(folder, 1))  # as after one epoch of training


CASES = [
    Case("`EPOCHS = 0`", lambda _: check_value("EPOCHS", 0), "EPOCHS=0 is not allowed: EPOCHS must be a whole number of at least 1"),
    Case("`EPOCHS = \"10\"` (a string)", lambda _: check_value("EPOCHS", "10"), "EPOCHS='10' is not allowed"),
    Case("`TEMPERATURE = 0`", lambda _: check_value("TEMPERATURE", 0), "TEMPERATURE must be a number above 0"),
    Case("`SEQ_LENGTH = -5`", lambda _: check_value("SEQ_LENGTH", -5), "SEQ_LENGTH=-5 is not allowed"),
    Case("`RNN_TYPE = \"rnn\"`", lambda _: check_value("RNN_TYPE", "rnn"), "RNN_TYPE must be 'gru' or 'lstm'"),
    Case("`PATIENCE = 0`", lambda _: check_value("PATIENCE", 0),
         "PATIENCE must be None (train every epoch) or a whole number of at least 1"),
    Case("`STRATEGY = \"tpu\"` on a runtime without a TPU", _no_tpu, "but this runtime has no TPU"),
    Case("`papermill -p EPOCH 5` (a misspelt name)", lambda _: check_value("EPOCH", 5), "Did you mean EPOCHS?"),
    Case("`make run PROFILE=laptop` (no such profile)", lambda _: load_profile("laptop"), "choose one of"),
    Case("`DATA_PATH` of a missing file", lambda folder: load_text(folder / "input.txt"), "does not exist"),
    Case("`DATA_PATH` of an empty file", lambda folder: load_text(_file(folder, b"")), "is empty"),
    Case("`DATA_PATH` of an image", lambda folder: load_text(_file(folder, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")),
         "looks like a binary file"),
    Case("`DATA_PATH` of a Latin-1 file", lambda folder: load_text(_file(folder, "café".encode("latin-1"))), "is not UTF-8 text"),
    Case("a text of your own shorter than one training batch", lambda _: _datasets(100, 64, 0.1), "fewer than one batch needs"),
    Case("a held-out tail shorter than one sequence", lambda _: _datasets(200, 32, 0.01), "fewer than one sequence needs"),
    Case("a truncated `data/shakespeare.txt`", _truncated_corpus, "Delete it and run again"),
    Case("`START_STRING = \"Café\"`", lambda _: Vocab.from_text("ABC abc:\n").encode("Café", name="START_STRING"),
         "START_STRING has characters not in the vocabulary: 'f', 'é'"),
    Case("`load_run` of a folder with no trained model (05 falls back to `pretrained/` instead)", _load_run,
         "Run notebooks/04_fit.ipynb first, or set RUN_DIR"),
    Case("`RUN_DIR` of a run with other `RNN_UNITS`", lambda folder: _rerun(folder, {"RNN_UNITS": 8}, {"RNN_UNITS": 16}),
         "RNN_UNITS is 8 there, 16 here"),
    Case("04 rerun into its `RUN_DIR` with another `LEARNING_RATE`",
         lambda folder: _rerun(folder, {"LEARNING_RATE": 0.001}, {"LEARNING_RATE": 0.01}), "LEARNING_RATE is 0.001 there, 0.01 here"),
    Case("`PRECISION = \"fp16\"`", lambda _: check_value("PRECISION", "fp16"), "PRECISION must be 'auto'"),
    Case("a run of `mixed_bfloat16` resumed on a GPU, where `\"auto\"` picks `mixed_float16`",
         lambda folder: _rerun(folder, {"PRECISION": "mixed_bfloat16"}, {"PRECISION": "mixed_float16"}),
         "PRECISION is 'mixed_bfloat16' there, 'mixed_float16' here"),
    Case("04 rerun into its `RUN_DIR` with `CARRY_STATE` switched on",
         lambda folder: _rerun(folder, {"CARRY_STATE": False}, {"CARRY_STATE": True}), "CARRY_STATE is False there, True here"),
]


def message(case: Case, folder: Path) -> str:
    """The one line the user sees for ``case``, with the scratch folder shown as ``…/``."""
    try:
        case.trigger(folder)
    except UserError as error:
        return f"{type(error).__name__}: {error}".replace(f"{folder}/", "…/").replace(str(folder), "…")
    raise AssertionError(f"{case.what} raised no error")


def render(folder: Path) -> str:
    """The table, each case run in a scratch folder of its own under ``folder``."""
    rows = ["| input | what you see |", "| --- | --- |"]
    for case in CASES:
        scratch = folder / f"case{len(rows)}"
        scratch.mkdir()
        rows.append(f"| {case.what} | {message(case, scratch).replace('|', chr(92) + '|')} |")
    return "\n".join(rows)


if __name__ == "__main__":
    import helpers

    helpers.quiet_tensorflow()
    with tempfile.TemporaryDirectory() as folder:
        write_section(NAME, render(Path(folder)))
