"""Checks for the notebooks' parameters: one clear line per mistake, before any TensorFlow work."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Callable

from helpers.errors import UserError
from helpers.messages import message


class ParameterError(UserError, ValueError):
    """A parameter with a wrong type or value; the message names it, its value and what is allowed."""


@dataclass(frozen=True)
class Rule:
    """A parameter's types and test; what it allows is the catalogue's "params.at_least" or "params.<its name>"."""
    types: tuple[type, ...]
    ok: Callable[[Any], bool] = lambda v: True
    optional: bool = False
    at_least: int | None = None


def _at_least(n):
    return Rule((int,), lambda v: v >= n, at_least=n)


RULES: dict[str, Rule] = {
    "EPOCHS": _at_least(1),
    "BATCH_SIZE": _at_least(1),
    "SEQ_LENGTH": _at_least(1),
    "BUFFER_SIZE": _at_least(0),
    "EMBEDDING_DIM": _at_least(1),
    "RNN_UNITS": _at_least(1),
    "NUM_LAYERS": _at_least(1),
    "RNN_TYPE": Rule((str,), lambda v: v in ("gru", "lstm")),
    "DROPOUT": Rule((int, float), lambda v: 0 <= v < 1),
    "LEARNING_RATE": Rule((int, float), lambda v: v > 0),
    "CLIP_NORM": Rule((int, float), lambda v: v > 0, optional=True),
    "LR_SCHEDULE": Rule((str,), lambda v: v in ("constant", "cosine")),
    "PATIENCE": Rule((int,), lambda v: v >= 1, optional=True),
    "VAL_FRACTION": Rule((int, float), lambda v: 0 < v < 1),
    "MAX_STEPS_PER_EPOCH": Rule((int,), lambda v: v >= 1, optional=True),
    "SEED": Rule((int,), lambda v: v >= 0),
    "DATA_PATH": Rule((str,)),
    "RUN_DIR": Rule((str,), lambda v: v.strip() != ""),
    "FIT_RUN_DIR": Rule((str,), lambda v: v.strip() != ""),
    "TEMPERATURE": Rule((int, float), lambda v: v > 0),
    "TOP_K": Rule((int,), lambda v: v >= 1, optional=True),
    "NUM_GENERATE": _at_least(0),
    "START_STRING": Rule((str,), lambda v: v != ""),
    "LOG_EVERY": _at_least(1),
    "SAVE_EVERY": _at_least(1),
    "REPEATS": _at_least(1),
    "TRAIN_STEPS": _at_least(1),
    "EXPORT_DIR": Rule((str,), lambda v: v.strip() != ""),
    "GRU_IMPL": Rule((str,), lambda v: v in ("auto", "fused", "keras")),
    "PRECISION": Rule((str,), lambda v: v in ("auto", "float32", "mixed_bfloat16", "mixed_float16")),
    "CARRY_STATE": Rule((bool,)),
    "STRATEGY": Rule((str,), lambda v: v in ("default", "mirrored", "tpu")),
    "CHECKPOINT": Rule((str,), lambda v: v in ("best", "latest")),
}


def check_value(name: str, value: Any) -> None:
    rule = RULES.get(name)
    if rule is None:
        guess = difflib.get_close_matches(name, RULES, n=1)
        hint = message("params.did_you_mean", guess=guess[0]) if guess else ""
        raise ParameterError(message("params.unknown", name=name, hint=hint, known=", ".join(RULES)))
    if value is None and rule.optional:
        return
    wrong_type = (isinstance(value, bool) and bool not in rule.types) or not isinstance(value, rule.types)
    if wrong_type or not rule.ok(value):
        allowed = message("params.at_least", n=rule.at_least) if rule.at_least is not None else message(f"params.{name}")
        raise ParameterError(message("params.not_allowed", name=name, value=value, allowed=allowed))


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
