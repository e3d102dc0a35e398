"""The tf.data pipeline: ids -> (input, target) sequences -> shuffled batches."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from helpers.errors import UserError


class DatasetError(UserError, ValueError):
    """A text or a split that cannot give the batches asked for."""


def split_input_target(chunk):
    """A window of seq_length + 1 ids -> (its first seq_length, its last seq_length)."""
    input_text = chunk[:-1]
    target_text = chunk[1:]
    return input_text, target_text


def train_val_split(ids: np.ndarray, val_fraction: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Split off a contiguous tail of the text for validation, so no window straddles both."""
    if not 0.0 <= val_fraction < 1.0:
        raise DatasetError(f"VAL_FRACTION={val_fraction!r} must be at least 0 and below 1 (0.1 keeps the last 10% aside).")
    cut = len(ids) - int(len(ids) * val_fraction)
    return ids[:cut], ids[cut:]


def count_batches(num_ids: int, seq_length: int, batch_size: int) -> int:
    """How many full batches ``make_dataset`` yields from ``num_ids`` ids."""
    return (num_ids // (seq_length + 1)) // batch_size


def make_dataset(
    ids: np.ndarray,
    seq_length: int = 100,
    batch_size: int = 64,
    buffer_size: int | None = 10_000,
    seed: int | None = None,
    max_batches: int | None = None,
) -> tf.data.Dataset:
    """Batches of (input, target) id sequences of shape (batch_size, seq_length).

    ``buffer_size=None`` keeps the text's order (for validation); ``max_batches``
    caps the batches per pass, for quick runs.
    """
    if count_batches(len(ids), seq_length, batch_size) < 1:
        raise DatasetError(
            f"the text has {len(ids):,} characters, fewer than one batch needs "
            f"(BATCH_SIZE {batch_size} x (SEQ_LENGTH {seq_length} + 1) = {batch_size * (seq_length + 1):,}); "
            f"use a longer text or a smaller BATCH_SIZE or SEQ_LENGTH."
        )
    sequences = tf.data.Dataset.from_tensor_slices(ids).batch(seq_length + 1, drop_remainder=True)
    dataset = sequences.map(split_input_target, num_parallel_calls=tf.data.AUTOTUNE)
    if buffer_size:
        dataset = dataset.shuffle(buffer_size, seed=seed)
    dataset = dataset.batch(batch_size, drop_remainder=True)
    if max_batches:
        dataset = dataset.take(max_batches)
    return dataset.prefetch(tf.data.AUTOTUNE)
