"""The vocabulary: the sorted unique characters of a text, and their ids."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from helpers.errors import UserError
from helpers.messages import message


class VocabError(UserError, ValueError):
    """Text with characters the vocabulary does not have."""


class Vocab:
    """Maps characters to ids (their index in the sorted character list) and back."""

    def __init__(self, chars: list[str] | tuple[str, ...]):
        if len(set(chars)) != len(chars) or any(len(c) != 1 for c in chars):
            raise ValueError("a vocabulary is a list of distinct single characters")
        self.chars = tuple(chars)
        self.char2idx = {c: i for i, c in enumerate(self.chars)}
        self.idx2char = np.array(self.chars)

    @classmethod
    def from_text(cls, text: str) -> "Vocab":
        return cls(sorted(set(text)))

    def __len__(self) -> int:
        return len(self.chars)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocab) and self.chars == other.chars

    def __repr__(self) -> str:
        return f"Vocab({len(self)} characters)"

    def check(self, text: str, name: str = "text") -> None:
        """Raise ValueError naming every character of ``text`` the vocabulary lacks."""
        unknown = sorted(set(text) - set(self.char2idx))
        if unknown:
            listed = ", ".join(repr(c) for c in unknown)
            raise VocabError(message("vocab.unknown", name=name, listed=listed, size=len(self)))

    def encode(self, text: str, name: str = "text") -> np.ndarray:
        """Characters -> int32 ids."""
        self.check(text, name)
        return np.fromiter((self.char2idx[c] for c in text), dtype=np.int32, count=len(text))

    def decode(self, ids) -> str:
        """Ids (any integer array-like or tensor) -> characters."""
        ids = np.asarray(ids)
        return "".join(self.idx2char[ids.reshape(-1)])

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps({"chars": list(self.chars)}, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> "Vocab":
        return cls(json.loads(Path(path).read_text(encoding="utf-8"))["chars"])
