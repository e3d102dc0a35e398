"""The learner's language: each message helpers prints or raises is a key of messages.yaml, with a ``str.format``
template per language. ``helpers.setup(language=...)`` chooses it; CHAR_RNN_LANGUAGE, where set, overrides that."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from helpers.errors import UserError

LANGUAGES = ("en", "ja")
CATALOGUE: dict[str, dict[str, str]] = yaml.safe_load(Path(__file__).with_name("messages.yaml").read_text(encoding="utf-8"))
_chosen = "en"


class LanguageError(UserError, ValueError):
    """A language the messages are not written in."""


def set_language(language: str) -> None:
    """Print and raise helpers' messages in ``language``: "en" (English) or "ja" (Japanese)."""
    global _chosen
    _chosen = _checked("language", language)


def language() -> str:
    """CHAR_RNN_LANGUAGE where it is set, else the language chosen (English until one is)."""
    return _checked("CHAR_RNN_LANGUAGE", os.environ["CHAR_RNN_LANGUAGE"]) if os.environ.get("CHAR_RNN_LANGUAGE") else _chosen


def message(key: str, **fields) -> str:
    """The catalogue's ``key`` in the learner's language, its ``fields`` filled in."""
    return CATALOGUE[key][language()].format(**fields)


def _checked(name: str, language: str) -> str:
    if language not in LANGUAGES:  # said in every language, since the one wanted is not among them
        raise LanguageError(" / ".join(CATALOGUE["language"][each].format(name=name, value=language) for each in LANGUAGES))
    return language
