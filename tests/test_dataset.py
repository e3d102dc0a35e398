import numpy as np
import pytest
import tensorflow as tf

from helpers.dataset import (DatasetError, count_batches, make_dataset, split_input_target, stream_dataset,
                             train_val_datasets, train_val_split)


def test_split_input_target_shifts_by_one():
    inputs, target = split_input_target(tf.constant(list("Hello")))
    assert b"".join(inputs.numpy()) == b"Hell" and b"".join(target.numpy()) == b"ello"


@pytest.mark.slow
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


def short_text(chars: int) -> str:
    """A UTF-8 text in another language, about ``chars`` characters long."""
    line = "Wer reitet so spät durch Nacht und Wind? Es ist der Vater mit seinem Kind; «Ça va», ő mondta.\n"
    return (line * (chars // len(line) + 1))[:chars]


def test_a_17k_text_of_your_own_trains_at_the_default_batch_size():
    from helpers.vocab import Vocab

    text = short_text(17_000)
    vocab = Vocab.from_text(text)
    train_ds, val_ds = train_val_datasets(vocab.encode(text), 100, 64, 10_000, 0.1, seed=0)
    assert [tuple(x.shape) for x, _ in train_ds] == [(64, 100), (64, 100)]
    assert [tuple(x.shape) for x, _ in val_ds] == [(16, 100)]  # the partial batch is kept


def test_the_part_that_is_too_short_is_named_with_its_length():
    from helpers.vocab import Vocab

    text = short_text(5_000)
    with pytest.raises(ValueError, match=r"^the training text \(the first 90% of 5,000 characters\) has 4,500 characters, "
                                         r"fewer than one batch needs"):
        train_val_datasets(Vocab.from_text(text).encode(text), 100, 64, 10_000, 0.1)
    text = short_text(8_000)
    with pytest.raises(ValueError, match=r"^the validation text \(the last 1%, VAL_FRACTION\) has 80 characters, "
                                         r"fewer than one sequence needs \(SEQ_LENGTH 100 \+ 1 = 101\); "
                                         r"use a longer text, a larger VAL_FRACTION"):
        train_val_datasets(Vocab.from_text(text).encode(text), 100, 32, 10_000, 0.01)


def test_stream_batches_continue_row_by_row(ids):
    text = ids[:10_000]
    batches = list(stream_dataset(text, seq_length=20, batch_size=4))
    length = len(text) // 4
    assert len(batches) == (length - 1) // 20
    for row in range(4):  # row j of the batches, joined, is the j-th quarter of the text: one stream
        stream = np.concatenate([inputs[row] for inputs, _ in batches])
        np.testing.assert_array_equal(stream, text[row * length:row * length + len(stream)])
        targets = np.concatenate([target[row] for _, target in batches])
        np.testing.assert_array_equal(targets, text[row * length + 1:row * length + 1 + len(stream)])


def test_carry_state_gives_streams_for_training_and_windows_for_validation(ids):
    train_ds, val_ds = train_val_datasets(ids[:30_000], 30, 8, 500, 0.1, seed=0, carry_state=True)
    first, second = list(train_ds.take(2))
    length = len(train_val_split(ids[:30_000], 0.1)[0]) // 8
    np.testing.assert_array_equal(second[0][3], ids[3 * length + 30:3 * length + 60])
    assert first[0].shape == (8, 30) and next(iter(val_ds))[0].shape == (8, 30)


def test_a_text_too_short_for_its_streams_is_refused():
    with pytest.raises(DatasetError, match="fewer than BATCH_SIZE 64 streams"):
        stream_dataset(np.zeros(6000, dtype="int32"), 100, 64)
