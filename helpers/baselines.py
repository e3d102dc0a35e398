"""Baselines that give a loss its meaning: the held-out cross-entropy of models that need no training."""

from __future__ import annotations

import math

import numpy as np


def uniform_loss(vocab_size: int) -> float:
    """Every character equally likely: ln(vocab_size) nats per character."""
    return math.log(vocab_size)


def unigram_loss(train_ids: np.ndarray, val_ids: np.ndarray, vocab_size: int) -> float:
    """Each character as likely as it is frequent in the training text (add-one smoothed), scored on ``val_ids``."""
    counts = np.bincount(train_ids, minlength=vocab_size) + 1.0
    return float(-np.mean(np.log(counts / counts.sum())[val_ids]))


def bigram_loss(train_ids: np.ndarray, val_ids: np.ndarray, vocab_size: int) -> float:
    """Each character predicted from the one before it, by counting pairs in the training text (add-one smoothed)."""
    counts = np.ones((vocab_size, vocab_size))
    np.add.at(counts, (train_ids[:-1], train_ids[1:]), 1.0)
    log_p = np.log(counts / counts.sum(axis=1, keepdims=True))
    return float(-np.mean(log_p[val_ids[:-1], val_ids[1:]]))


def baselines(train_ids: np.ndarray, val_ids: np.ndarray, vocab_size: int) -> dict[str, float]:
    """The three baselines' losses on the same held-out text, in nats per character."""
    return {"uniform": uniform_loss(vocab_size), "unigram": unigram_loss(train_ids, val_ids, vocab_size),
            "bigram": bigram_loss(train_ids, val_ids, vocab_size)}
