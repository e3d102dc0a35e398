import numpy as np
import pytest
import tensorflow as tf

from helpers.dataset import count_batches, make_dataset, split_input_target, train_val_split


def test_split_input_target_shifts_by_one():
    inputs, target = split_input_target(tf.constant(list("Hello")))
    assert b"".join(inputs.numpy()) == b"Hell" and b"".join(target.numpy()) == b"ello"


def test_tutorial_batches(ids):
    dataset = make_dataset(ids, seq_length=100, batch_size=64, buffer_size=10_000, seed=1)
    assert dataset.cardinality().numpy() == count_batches(len(ids), 100, 64) == 172
    inputs, target = next(iter(dataset))
    assert inputs.shape == target.shape == (64, 100)
    np.testing.assert_array_equal(inputs[:, 1:], target[:, :-1])


def test_windows_come_from_the_text_in_order_without_shuffle(ids):
    inputs, target = next(iter(make_dataset(ids, seq_length=10, batch_size=2, buffer_size=None)))
    np.testing.assert_array_equal(inputs[0], ids[:10])
    np.testing.assert_array_equal(target[1], ids[12:22])


def test_same_seed_same_order(ids):
    first = [next(iter(make_dataset(ids[:50_000], 20, 8, 1000, seed=7)))[0].numpy() for _ in range(2)]
    other = next(iter(make_dataset(ids[:50_000], 20, 8, 1000, seed=8)))[0].numpy()
    np.testing.assert_array_equal(first[0], first[1])
    assert not np.array_equal(first[0], other)


def test_validation_is_a_disjoint_tail(ids):
    train, val = train_val_split(ids, 0.1)
    assert len(val) == len(ids) // 10 and len(train) + len(val) == len(ids)
    np.testing.assert_array_equal(np.concatenate([train, val]), ids)


def test_max_batches_caps_an_epoch(ids):
    assert sum(1 for _ in make_dataset(ids, 100, 64, 1000, seed=0, max_batches=3)) == 3


def test_text_shorter_than_a_batch_is_refused(ids):
    with pytest.raises(ValueError, match=r"fewer than one batch needs \(BATCH_SIZE 64 x \(SEQ_LENGTH 100 \+ 1\) = 6,464\)"):
        make_dataset(ids[:6000], 100, 64)


def test_bad_validation_fraction(ids):
    with pytest.raises(ValueError, match="VAL_FRACTION=1.5"):
        train_val_split(ids, 1.5)
