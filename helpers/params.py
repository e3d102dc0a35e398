"""Checks for the notebooks' parameters: one clear line per mistake, before any TensorFlow work."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Callable

from helpers.errors import UserError


class ParameterError(UserError, ValueError):
    """A parameter with a wrong type or value; the message names it, its value and what is allowed."""


@dataclass(frozen=True)
class Rule:
    types: tuple[type, ...]
    allowed: str
    ok: Callable[[Any], bool] = lambda v: True
    optional: bool = False


def _at_least(n):
    return Rule((int,), f"a whole number of at least {n}", lambda v: v >= n)


RULES: dict[str, Rule] = {
    "EPOCHS": _at_least(1),
    "BATCH_SIZE": _at_least(1),
    "SEQ_LENGTH": _at_least(1),
    "BUFFER_SIZE": _at_least(0),
    "EMBEDDING_DIM": _at_least(1),
    "RNN_UNITS": _at_least(1),
    "NUM_LAYERS": _at_least(1),
    "RNN_TYPE": Rule((str,), "'gru' or 'lstm'", lambda v: v in ("gru", "lstm")),
    "DROPOUT": Rule((int, float), "a number from 0 up to (not including) 1", lambda v: 0 <= v < 1),
    "LEARNING_RATE": Rule((int, float), "a number above 0, such as 0.001", lambda v: v > 0),
    "CLIP_NORM": Rule((int, float), "None (no clipping) or a number above 0, such as 1.0", lambda v: v > 0, optional=True),
    "LR_SCHEDULE": Rule((str,), "'constant' or 'cosine'", lambda v: v in ("constant", "cosine")),
    "PATIENCE": Rule((int,), "None (train every epoch) or a whole number of at least 1", lambda v: v >= 1, optional=True),
    "VAL_FRACTION": Rule((int, float), "a number above 0 and below 1, such as 0.1", lambda v: 0 < v < 1),
    "MAX_STEPS_PER_EPOCH": Rule((int,), "None (whole epochs) or a whole number of at least 1",
                                lambda v: v >= 1, optional=True),
    "SEED": Rule((int,), "a whole number of 0 or more", lambda v: v >= 0),
    "DATA_PATH": Rule((str,), "a path to a UTF-8 text file, or '' for the Shakespeare corpus"),
    "RUN_DIR": Rule((str,), "a folder path such as '../runs/tutorial'", lambda v: v.strip() != ""),
    "FIT_RUN_DIR": Rule((str,), "a folder path such as '../runs/tutorial' (it need not exist)", lambda v: v.strip() != ""),
    "TEMPERATURE": Rule((int, float), "a number above 0, such as 1.0", lambda v: v > 0),
    "TOP_K": Rule((int,), "None (no limit) or a whole number of at least 1", lambda v: v >= 1, optional=True),
    "NUM_GENERATE": _at_least(0),
    "START_STRING": Rule((str,), "a non-empty string such as 'ROMEO: '", lambda v: v != ""),
    "LOG_EVERY": _at_least(1),
    "SAVE_EVERY": _at_least(1),
    "REPEATS": _at_least(1),
    "TRAIN_STEPS": _at_least(1),
    "EXPORT_DIR": Rule((str,), "a folder path such as '../runs/export'", lambda v: v.strip() != ""),
    "GRU_IMPL": Rule((str,), "'auto' (fused on a CPU, cuDNN on a GPU), 'fused' or 'keras'",
                     lambda v: v in ("auto", "fused", "keras")),
    "PRECISION": Rule((str,), "'auto' (what the hardware does fast), 'float32', 'mixed_bfloat16' or 'mixed_float16'",
                      lambda v: v in ("auto", "float32", "mixed_bfloat16", "mixed_float16")),
    "CARRY_STATE": Rule((bool,), "True (each batch continues the last one's text and state) or False"),
    "STRATEGY": Rule((str,), "'default' (one device), 'mirrored' (every GPU) or 'tpu'",
                     lambda v: v in ("default", "mirrored", "tpu")),
    "CHECKPOINT": Rule((str,), "'best' (lowest validation loss) or 'latest'", lambda v: v in ("best", "latest")),
}


def check_value(name: str, value: Any) -> None:
    rule = RULES.get(name)
    if rule is None:
        guess = difflib.get_close_matches(name, RULES, n=1)
        hint = f" Did you mean {guess[0]}?" if guess else ""
        raise ParameterError(f"{name} is not a parameter of these notebooks.{hint} Known: {', '.join(RULES)}.")
    if value is None and rule.optional:
        return
    wrong_type = (isinstance(value, bool) and bool not in rule.types) or not isinstance(value, rule.types)
    if wrong_type or not rule.ok(value):
        raise ParameterError(f"{name}={value!r} is not allowed: {name} must be {rule.allowed}.")


def check(values: dict[str, Any]) -> None:
    """Check the parameters a notebook declares (annotated: ``EPOCHS: int = 10``) and any that papermill injected just
    before (a misspelt name there is refused); a notebook passes ``globals()``. Its other UPPER_CASE names are its own."""
    if "__annotations__" not in values and "In" not in values:  # not a notebook: check every UPPER_CASE name
        names = [n for n in values if n.isupper() and not n.startswith("_")]
    else:
        names = [n for n in values.get("__annotations__", {}) if n.isupper()]
        names += [n for n in _injected_names(values.get("In", [])) if n not in names]
    for name in names:
        check_value(name, values.get(name))


def declared(values: dict[str, Any]) -> dict[str, Any]:
    """The notebook's declared parameters and their current values (what a run records)."""
    return {n: values[n] for n in values.get("__annotations__", {}) if n.isupper() and n in values}


def _injected_names(history: list[str]) -> list[str]:
    """Names assigned in papermill's injected cell, if it is the cell run just before this one."""
    import ast

    previous = history[-2] if len(history) >= 2 else ""
    if not previous.lstrip().startswith("# Parameters"):
        return []
    return [target.id for node in ast.parse(previous).body if isinstance(node, ast.Assign)
            for target in node.targets if isinstance(target, ast.Name)]
