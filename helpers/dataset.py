"""The tf.data pipeline: ids -> (input, target) sequences -> shuffled batches."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from helpers.errors import UserError
from helpers.messages import message
from helpers.params import check_value


class DatasetError(UserError, ValueError):
    """A text or a split that cannot give the batches asked for."""


def prefetched(dataset: tf.data.Dataset) -> tf.data.Dataset:
    """Prefetch the next batch while the model trains, without tf.data's autotuning: freeing an iterator waits for
    the autotuner's thread, which left a core idle at the end of every pass (docs/speed.md)."""
    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.prefetch(1).with_options(options)


def split_input_target(chunk):
    """A window of seq_length + 1 ids -> (its first seq_length, its last seq_length)."""
    input_text = chunk[:-1]
    target_text = chunk[1:]
    return input_text, target_text


def train_val_split(ids: np.ndarray, val_fraction: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Split off a contiguous tail of the text for validation, so no window straddles both."""
    check_value("VAL_FRACTION", val_fraction)  # the notebooks' own rule, so both refuse the same values
    cut = len(ids) - int(len(ids) * val_fraction)
    return ids[:cut], ids[cut:]


def count_batches(num_ids: int, seq_length: int, batch_size: int, keep_partial: bool = False) -> int:
    """How many batches ``make_dataset`` yields from ``num_ids`` ids."""
    sequences = num_ids // (seq_length + 1)
    return -(-sequences // batch_size) if keep_partial else sequences // batch_size


def make_dataset(
    ids: np.ndarray,
    seq_length: int = 100,
    batch_size: int = 64,
    buffer_size: int | None = 10_000,
    seed: int | None = None,
    max_batches: int | None = None,
    keep_partial: bool = False,
    name: str | None = None,
) -> tf.data.Dataset:
    """Batches of (input, target) id sequences of shape (batch_size, seq_length); ``buffer_size=None`` keeps
    the text's order, and ``keep_partial`` a last, smaller batch (validation: a short held-out text still counts)."""
    check_value("SEQ_LENGTH", seq_length)
    check_value("BATCH_SIZE", batch_size)
    if buffer_size is not None:
        check_value("BUFFER_SIZE", buffer_size)
    if count_batches(len(ids), seq_length, batch_size, keep_partial) < 1:
        raise DatasetError(message("dataset.short_for_sequence" if keep_partial else "dataset.short_for_batch",
                                   name=name or message("dataset.the_text"), count=len(ids), seq_length=seq_length,
                                   window=seq_length + 1, batch_size=batch_size, needed=batch_size * (seq_length + 1)))
    sequences = tf.data.Dataset.from_tensor_slices(ids).batch(seq_length + 1, drop_remainder=True)
    dataset = sequences.map(split_input_target)
    if buffer_size:
        dataset = dataset.shuffle(buffer_size, seed=seed)
    dataset = dataset.batch(batch_size, drop_remainder=not keep_partial)
    if max_batches:
        dataset = dataset.take(max_batches)
    return prefetched(dataset)


def stream_dataset(ids: np.ndarray, seq_length: int = 100, batch_size: int = 64, max_batches: int | None = None,
                   name: str | None = None) -> tf.data.Dataset:
    """Batches in which row j of batch i continues row j of batch i - 1 (unshuffled), for training with the state
    carried. Notebook 06's lesson cell is its teaching copy (tests/test_lessons.py checks that the two agree)."""
    check_value("SEQ_LENGTH", seq_length)
    check_value("BATCH_SIZE", batch_size)
    length = len(ids) // batch_size
    batches = (length - 1) // seq_length
    if batches < 1:
        raise DatasetError(message("dataset.short_for_streams", name=name or message("dataset.the_text"), count=len(ids),
                                   batch_size=batch_size, seq_length=seq_length, needed=batch_size * (seq_length + 1)))
    streams = np.asarray(ids)[: length * batch_size].reshape(batch_size, length)

    def windows(offset):  # (batches, batch_size, seq_length): batch i holds window i of every stream
        cut = streams[:, offset:offset + batches * seq_length]
        return cut.reshape(batch_size, batches, seq_length).transpose(1, 0, 2)

    dataset = tf.data.Dataset.from_tensor_slices((windows(0), windows(1)))
    if max_batches:
        dataset = dataset.take(max_batches)
    return prefetched(dataset)


def train_val_datasets(ids: np.ndarray, seq_length: int, batch_size: int, buffer_size: int | None,
                       val_fraction: float, seed: int | None = None, max_batches: int | None = None,
                       carry_state: bool = False):
    """Shuffled training batches (with ``carry_state``, ``stream_dataset``'s) from the head of the text, ordered
    validation batches from its tail; an error names the part that is too short."""
    train_ids, val_ids = train_val_split(ids, val_fraction)
    train_name = message("dataset.training_text", share=1 - val_fraction, count=len(ids))
    if carry_state:
        train_ds = stream_dataset(train_ids, seq_length, batch_size, max_batches, name=train_name)
    else:
        train_ds = make_dataset(train_ids, seq_length, batch_size, buffer_size, seed=seed, max_batches=max_batches,
                                name=train_name)
    val_ds = make_dataset(val_ids, seq_length, batch_size, buffer_size=None, max_batches=max_batches, keep_partial=True,
                          name=message("dataset.validation_text", share=val_fraction))
    return train_ds, val_ds
