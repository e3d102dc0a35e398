"""The bad inputs a workshop meets, each with the error the user sees.

tests/test_bad_inputs.py runs every case; scripts/bad_input_table.py prints the same
cases as the README's table, so the two cannot drift. They live here, not in tests/, so that
tests import scripts and never the other way round.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, NamedTuple

from helpers.errors import UserError


class Case(NamedTuple):
    what: str  # the input, as the user would describe it
    trigger: Callable[[Path], object]  # given a scratch folder, does what the user did
    expected: str  # a fragment the message must contain


def _file(folder: Path, content: bytes) -> Path:
    path = folder / "input.txt"
    path.write_bytes(content)
    return path


def _param(name, value):
    from helpers.params import check_value

    return lambda folder: check_value(name, value)


def _load(content: bytes | None):
    from helpers.data import load_text

    return lambda folder: load_text(folder / "input.txt" if content is None else _file(folder, content))


def _no_tpu(folder: Path):
    from helpers.distribute import make_strategy

    return make_strategy("tpu")


def _corrupt_cache(folder: Path):
    from helpers.data import load_text

    (folder / "shakespeare.txt").write_text("First Citizen:\nBefore we proceed")
    return load_text(cache_dir=folder)


def _short_text(folder: Path):
    from helpers.dataset import train_val_datasets
    from helpers.vocab import Vocab

    text = "To be, or not to be: that is the question.\n" * 100
    return train_val_datasets(Vocab.from_text(text).encode(text), 100, 64, 10_000, 0.1)


def _short_validation(folder: Path):
    from helpers.dataset import train_val_datasets
    from helpers.vocab import Vocab

    text = "To be, or not to be: that is the question.\n" * 200
    return train_val_datasets(Vocab.from_text(text).encode(text), 100, 32, 10_000, 0.01)


def _unknown_start(folder: Path):
    from helpers.vocab import Vocab

    return Vocab.from_text("ABC abc:\n").encode("Café", name="START_STRING")


def _empty_run_dir(folder: Path):
    from helpers.rundir import load_run

    return load_run(folder)


def _other_model(folder: Path):
    from helpers.model import build_model
    from helpers.rundir import save_run
    from helpers.vocab import Vocab

    vocab = Vocab.from_text("abc")
    save_run(folder, build_model(3, 4, 8), vocab)
    return save_run(folder, build_model(3, 4, 16), vocab)


def _changed_learning_rate(folder: Path):
    from helpers.model import build_model
    from helpers.rundir import checkpoint_path, save_run, save_weights_atomically
    from helpers.vocab import Vocab

    vocab, model = Vocab.from_text("abc"), build_model(3, 4, 8)
    save_run(folder, model, vocab, {"EPOCHS": 10, "LEARNING_RATE": 0.001}, text="abc")
    save_weights_atomically(model, checkpoint_path(folder, 1))  # as after one epoch of training
    return save_run(folder, model, vocab, {"EPOCHS": 10, "LEARNING_RATE": 0.01}, text="abc")


def _resumed_at_float16(folder: Path):
    from helpers.model import build_model
    from helpers.rundir import checkpoint_path, save_run, save_weights_atomically
    from helpers.vocab import Vocab

    vocab, model = Vocab.from_text("abc"), build_model(3, 4, 8, precision="mixed_bfloat16")
    save_run(folder, model, vocab, {"EPOCHS": 10, "PRECISION": "auto"}, text="abc")
    save_weights_atomically(model, checkpoint_path(folder, 1))
    return save_run(folder, build_model(3, 4, 8, precision="mixed_float16"), vocab, {"EPOCHS": 10, "PRECISION": "auto"},
                    text="abc")


def _changed_carry(folder: Path):
    from helpers.model import build_model
    from helpers.rundir import checkpoint_path, save_run, save_weights_atomically
    from helpers.vocab import Vocab

    vocab, model = Vocab.from_text("abc"), build_model(3, 4, 8)
    save_run(folder, model, vocab, {"EPOCHS": 10, "CARRY_STATE": False}, text="abc")
    save_weights_atomically(model, checkpoint_path(folder, 1))
    return save_run(folder, model, vocab, {"EPOCHS": 10, "CARRY_STATE": True}, text="abc")


def _profile(folder: Path):
    from helpers.runner import load_profile

    return load_profile("laptop")


CASES = [
    Case("`EPOCHS = 0`", _param("EPOCHS", 0), "EPOCHS=0 is not allowed: EPOCHS must be a whole number of at least 1"),
    Case("`EPOCHS = \"10\"` (a string)", _param("EPOCHS", "10"), "EPOCHS='10' is not allowed"),
    Case("`TEMPERATURE = 0`", _param("TEMPERATURE", 0), "TEMPERATURE must be a number above 0"),
    Case("`SEQ_LENGTH = -5`", _param("SEQ_LENGTH", -5), "SEQ_LENGTH=-5 is not allowed"),
    Case("`RNN_TYPE = \"rnn\"`", _param("RNN_TYPE", "rnn"), "RNN_TYPE must be 'gru' or 'lstm'"),
    Case("`PATIENCE = 0`", _param("PATIENCE", 0), "PATIENCE must be None (train every epoch) or a whole number of at least 1"),
    Case("`STRATEGY = \"tpu\"` on a runtime without a TPU", _no_tpu, "but this runtime has no TPU"),
    Case("`papermill -p EPOCH 5` (a misspelt name)", _param("EPOCH", 5), "Did you mean EPOCHS?"),
    Case("`make run PROFILE=laptop` (no such profile)", _profile, "choose one of"),
    Case("`DATA_PATH` of a missing file", _load(None), "does not exist"),
    Case("`DATA_PATH` of an empty file", _load(b""), "is empty"),
    Case("`DATA_PATH` of an image", _load(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "looks like a binary file"),
    Case("`DATA_PATH` of a Latin-1 file", _load("café".encode("latin-1")), "is not UTF-8 text"),
    Case("a text of your own shorter than one training batch", _short_text, "fewer than one batch needs"),
    Case("a held-out tail shorter than one sequence", _short_validation, "fewer than one sequence needs"),
    Case("a truncated `data/shakespeare.txt`", _corrupt_cache, "Delete it and run again"),
    Case("`START_STRING = \"Café\"`", _unknown_start, "START_STRING has characters not in the vocabulary: 'f', 'é'"),
    Case("`load_run` of a folder with no trained model (05 falls back to `pretrained/` instead)", _empty_run_dir,
         "Run notebooks/04_fit.ipynb first, or set RUN_DIR"),
    Case("`RUN_DIR` of a run with other `RNN_UNITS`", _other_model, "RNN_UNITS is 8 there, 16 here"),
    Case("04 rerun into its `RUN_DIR` with another `LEARNING_RATE`", _changed_learning_rate,
         "LEARNING_RATE is 0.001 there, 0.01 here"),
    Case("`PRECISION = \"fp16\"`", _param("PRECISION", "fp16"), "PRECISION must be 'auto'"),
    Case("a run of `mixed_bfloat16` resumed on a GPU, where `\"auto\"` picks `mixed_float16`", _resumed_at_float16,
         "PRECISION is 'mixed_bfloat16' there, 'mixed_float16' here"),
    Case("04 rerun into its `RUN_DIR` with `CARRY_STATE` switched on", _changed_carry,
         "CARRY_STATE is False there, True here"),
]


def message(case: Case, folder: Path) -> str:
    """The one line the user sees for ``case``, with the scratch folder shown as ``…/``."""
    try:
        case.trigger(folder)
    except UserError as error:
        return f"{type(error).__name__}: {error}".replace(f"{folder}/", "…/").replace(str(folder), "…")
    raise AssertionError(f"{case.what} raised no error")
