"""Shared fixtures: the real corpus (from the project's cache) and tiny models."""

from __future__ import annotations

import shutil
from pathlib import Path

import keras
import pytest

import helpers

helpers.quiet_tensorflow()  # before any test imports TensorFlow, so its start-up notices stay out of the output
from helpers.data import CORPUS_NAME, default_cache_dir, load_text  # noqa: E402
from helpers.vocab import Vocab  # noqa: E402

SHARED_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / CORPUS_NAME


@pytest.fixture(scope="session")
def corpus_path() -> Path:
    """The cached corpus; seeded from ../shared when this machine cannot download it."""
    cached = default_cache_dir() / CORPUS_NAME
    if not cached.exists() and SHARED_CORPUS.exists():
        cached.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SHARED_CORPUS, cached)
    load_text()  # verifies (and downloads where there is a network)
    return cached


@pytest.fixture(scope="session")
def text(corpus_path) -> str:
    return load_text()


@pytest.fixture(scope="session")
def vocab(text) -> Vocab:
    return Vocab.from_text(text)


@pytest.fixture(scope="session")
def ids(text, vocab):
    return vocab.encode(text)


@pytest.fixture
def tiny(ids, vocab):
    """A tiny compiled model and small datasets cut from the real corpus."""
    from helpers.dataset import make_dataset, train_val_split
    from helpers.model import build_model
    from helpers.training import compile_model

    keras.utils.set_random_seed(0)
    train, val = train_val_split(ids[:30_000], 0.1)
    model = compile_model(build_model(len(vocab), 8, 16))
    return model, make_dataset(train, 30, 16, 500, seed=0, max_batches=4), make_dataset(val, 30, 16, None)
