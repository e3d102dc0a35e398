import json
import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers.dataset import make_dataset, stream_dataset, train_val_split
from helpers.model import build_model
from helpers.rundir import checkpoint_path, list_checkpoints, load_run, read_history, save_run
from helpers.training import ResetCarriedState, TrainingDiverged, carried_state_loss, evaluate
from lessons import compiled_04, fit_04


@pytest.mark.slow
def test_untrained_loss_is_about_ln_vocab_size(ids, vocab):
    keras.utils.set_random_seed(0)
    model = build_model(len(vocab), 256, 1024)
    inputs, target = next(iter(make_dataset(ids, 100, 64, 1000, seed=0)))
    inputs, target = inputs[:8], target[:8]  # 800 characters are plenty for the mean, at 40% of the cost
    assert evaluate(model, [(inputs, target)]) == pytest.approx(math.log(65), abs=0.05)


@pytest.mark.slow
def test_fit_writes_a_run_that_load_run_restores(tiny, vocab, tmp_path):
    model, train_ds, val_ds = tiny
    save_run(tmp_path, model, vocab, {"EPOCHS": 2})
    history = fit_04(model, train_ds, val_ds, 2, tmp_path)
    assert history["epoch"] == [1, 2] and len(history["loss"]) == len(history["val_loss"]) == 2
    assert history["loss"][1] < history["loss"][0]
    assert list(list_checkpoints(tmp_path)) == [1, 2]
    restored, restored_vocab = load_run(tmp_path)
    assert restored_vocab == vocab and restored.config == model.config
    x = np.arange(20, dtype="int32")[None, :]
    np.testing.assert_allclose(restored(x).numpy(), model(x).numpy(), atol=1e-6)


@pytest.mark.slow
def test_fit_resumes_after_the_last_checkpoint(tiny, vocab, tmp_path):
    model, train_ds, val_ds = tiny
    save_run(tmp_path, model, vocab)
    fit_04(model, train_ds, val_ds, 2, tmp_path)
    history = read_history(tmp_path)
    history["loss"].append(99.0)  # what an epoch cut off before its checkpoint could leave behind
    history["epoch"].append(3)
    (tmp_path / "history.json").write_text(json.dumps(history))
    again = compiled_04(vocab)
    resumed = fit_04(again, train_ds, val_ds, 4, tmp_path)
    assert resumed["epoch"] == [1, 2, 3, 4] and 99.0 not in resumed["loss"]
    assert resumed["loss"][:2] == history["loss"][:2]


@pytest.mark.slow
def test_pruning_keeps_the_newest_three_and_the_best(tiny, vocab, tmp_path):
    model, train_ds, val_ds = tiny
    save_run(tmp_path, model, vocab)
    history = fit_04(model, train_ds, val_ds, 5, tmp_path)
    best = 1 + int(np.argmin(history["val_loss"]))
    assert set(list_checkpoints(tmp_path)) == {3, 4, 5, best}


@pytest.mark.slow
def test_diverging_training_stops_and_keeps_the_last_good_checkpoint(tiny, vocab, tmp_path):
    model, train_ds, val_ds = tiny
    save_run(tmp_path, model, vocab)
    fit_04(model, train_ds, val_ds, 1, tmp_path)
    good = checkpoint_path(tmp_path, 1).read_bytes()
    absurd = compiled_04(vocab, LEARNING_RATE=1e38)  # float32 weights overflow to inf
    with pytest.raises(TrainingDiverged, match=r"^Training stopped in epoch 2: the loss became nan\. .*"
                                               r"the last good checkpoint is epoch_001\.weights\.h5\. Try a smaller LEARNING_RATE"):
        fit_04(absurd, train_ds, val_ds, 3, tmp_path)
    assert read_history(tmp_path)["epoch"] == [1] and list(list_checkpoints(tmp_path)) == [1]
    assert checkpoint_path(tmp_path, 1).read_bytes() == good


@pytest.mark.slow
def test_patience_stops_a_run_that_no_longer_improves_and_a_resume_respects_it(tiny, vocab, tmp_path, capsys):
    frozen, train_ds, val_ds = tiny
    frozen.optimizer.learning_rate = 0.0  # the same validation loss every epoch
    save_run(tmp_path, frozen, vocab)
    history = fit_04(frozen, train_ds, val_ds, 6, tmp_path, patience=2)
    assert history["epoch"] == [1, 2, 3]  # epoch 1 is the best; epochs 2 and 3 did not beat it
    assert "Stopping after epoch 3: the validation loss has not improved for 2 epochs (PATIENCE = 2)" in capsys.readouterr().out
    other = compiled_04(vocab)
    other.optimizer.learning_rate = 0.0  # a rate no learner may set (LEARNING_RATE's rule), here to freeze the weights
    again = fit_04(other, train_ds, val_ds, 8, tmp_path, patience=2)
    assert again["epoch"] == [1, 2, 3] and "Not resuming: the last 2 epochs" in capsys.readouterr().out


def test_cosine_schedule_ends_at_a_tenth_and_clipping_reaches_the_optimizer(vocab):
    steps = tf.data.Dataset.range(25)  # 04's schedule spans EPOCHS × the batches of an epoch: here 4 × 25
    model = compiled_04(vocab, steps, EPOCHS=4, LEARNING_RATE=0.002, CLIP_NORM=1.0, LR_SCHEDULE="cosine")
    schedule = model.optimizer._learning_rate
    assert float(schedule(0)) == pytest.approx(0.002) and float(schedule(50)) == pytest.approx(0.0011)
    assert float(schedule(100)) == pytest.approx(0.0002) and model.optimizer.global_clipnorm == 1.0


def test_the_compile_cell_builds_and_compiles_as_the_parameters_beyond_the_tutorial_say(vocab):
    try:
        model = compiled_04(vocab, STRATEGY="mirrored", PRECISION="mixed_bfloat16", GRU_IMPL="keras")
        strategy = model.distribute_strategy
        assert isinstance(strategy, tf.distribute.MirroredStrategy)
        assert model.optimizer._distribution_strategy is strategy  # Adam, created on the line after the call, in its scope
        assert model.dtype_policy.name == "mixed_bfloat16" and model.gru_impl == "keras"
        # A learner who runs the cell again with the default gets one device back, without restarting the kernel.
        again = compiled_04(vocab, STRATEGY="default")
        assert not isinstance(again.distribute_strategy, tf.distribute.MirroredStrategy)
        assert not tf.distribute.has_strategy()
    finally:
        tf.distribute.experimental_set_strategy(None)  # the next test's models on the default strategy again


@pytest.mark.slow
def test_a_resumed_cosine_run_continues_its_schedule(tiny, vocab, tmp_path):
    _, train_ds, val_ds = tiny
    steps = len(train_ds)

    def scheduled():
        return compiled_04(vocab, train_ds, EPOCHS=4, LEARNING_RATE=0.01, LR_SCHEDULE="cosine")

    save_run(tmp_path, scheduled(), vocab)
    fit_04(scheduled(), train_ds, val_ds, 2, tmp_path)
    resumed = scheduled()
    fit_04(resumed, train_ds, val_ds, 2, tmp_path)  # nothing left to train: only restores
    assert int(resumed.optimizer.iterations) == 2 * steps
    assert float(resumed.optimizer.learning_rate) == pytest.approx(float(resumed.optimizer._learning_rate(2 * steps)))


@pytest.mark.slow
def test_the_duration_advice_leaves_the_training_as_it_was(fresh_tiny, ids, vocab, tmp_path, capsys):
    histories = []
    for advise in (False, True):
        model = fresh_tiny()
        keras.utils.set_random_seed(0)
        train, val = ids[:27_000], ids[27_000:30_000]
        train_ds, val_ds = make_dataset(train, 30, 16, 500, seed=0, max_batches=4), make_dataset(val, 30, 16, None)
        histories.append(fit_04(model, train_ds, val_ds, 2, save_run(tmp_path / str(advise), model, vocab), advise=advise))
    assert "a training step takes about" in capsys.readouterr().out
    assert histories[0]["loss"] == histories[1]["loss"] and histories[0]["val_loss"] == histories[1]["val_loss"]


@pytest.mark.slow
def test_carried_state_loss_does_not_depend_on_the_window_length_and_beats_zero_states(fresh_tiny, ids):
    model = fresh_tiny()
    keras.utils.set_random_seed(0)
    train, val = train_val_split(ids[:60_000], 0.1)
    model.fit(make_dataset(train, 30, 16, 500, seed=0, max_batches=40), epochs=2, verbose=0, shuffle=False)

    carried = carried_state_loss(model, val, seq_length=50, streams=8)
    assert carried_state_loss(model, val, seq_length=200, streams=8) == pytest.approx(carried, rel=1e-6)

    # the same windows of 50, each from a zero state: the blind starts cost something
    length = (len(val) - 1) // 8
    x = np.stack([val[i * length:(i + 1) * length] for i in range(8)])
    y = np.stack([val[i * length + 1:(i + 1) * length + 1] for i in range(8)])
    per_char = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    logits = tf.function(model)  # every window of one length has the same shape: one trace per length

    def windowed(n):
        return np.mean([float(per_char(y[:, s:s + n], logits(x[:, s:s + n]))) for s in range(0, length - n + 1, n)])

    assert windowed(50) > carried + 0.005
    assert windowed(50) != pytest.approx(windowed(200), abs=0.002)  # dropped, the window length matters


@pytest.mark.slow
def test_carried_training_starts_each_batch_from_the_last_ones_state(ids, vocab, tmp_path):
    train, val = train_val_split(ids[:30_000], 0.1)
    losses = {}
    for carry in (False, True):
        keras.utils.set_random_seed(0)
        model = compiled_04(vocab, LEARNING_RATE=0.01, CARRY_STATE=carry, BATCH_SIZE=16)
        run = save_run(tmp_path / str(carry), model, vocab)
        history = fit_04(model, stream_dataset(train, 30, 16, max_batches=6), make_dataset(val, 30, 16, None), 2, run)
        losses[carry] = history["loss"]
    carried = model.unsaved.carried[0][0]
    assert np.abs(carried.numpy()).max() > 0.01  # the last batch's state, kept for the next
    assert losses[True] != pytest.approx(losses[False], rel=1e-4)  # the same batches, trained from other states
    reset = ResetCarriedState()
    reset.set_model(model)
    reset.on_epoch_begin(2)
    assert np.abs(carried.numpy()).max() == 0  # each epoch's streams start from zeros
