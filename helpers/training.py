"""Training plumbing around notebook 04's fit: an epoch saved safely, a run resumed, progress watched, a loss evaluated."""

from __future__ import annotations

import math
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from helpers.distribute import make_strategy
from helpers.errors import UserError
from helpers.messages import message
from helpers.model import CharRNN, build_model
from helpers.params import check_value
from helpers.precision import choose_precision
from helpers.progress import Progress, ProgressCallback
from helpers.rundir import best_of, checkpoint_path, list_checkpoints, read_history, save_weights_atomically, write_json


class TrainingDiverged(UserError, RuntimeError):
    """The loss became NaN or infinite; the message names the epoch and the checkpoint that is still good."""


def build_for_training(vocab_size: int, embedding_dim: int, rnn_units: int, rnn_type: str, num_layers: int,
                       dropout: float, notebook: dict) -> tuple[CharRNN, float | keras.optimizers.schedules.LearningRateSchedule]:
    """Notebook 03's model and the learning rate for Adam, as the parameters beyond the tutorial in ``notebook``
    (04's ``globals()``) ask; with their defaults, ``build_model(vocab_size, ...)`` and LEARNING_RATE."""
    # As if every later cell ran inside `with strategy.scope():`; None puts back the one-device default, so that
    # running this cell again with STRATEGY = "default" undoes an earlier "mirrored".
    default = notebook["STRATEGY"] == "default"
    try:
        tf.distribute.experimental_set_strategy(None if default else make_strategy(notebook["STRATEGY"]))
    except RuntimeError:  # called inside a `with strategy.scope():` block: "default" means that block's strategy
        if not default:
            raise
    precision, _ = choose_precision(notebook["PRECISION"])  # "auto": 16-bit products where this machine is fast at them
    model = build_model(vocab_size, embedding_dim, rnn_units, rnn_type, num_layers, dropout, notebook["GRU_IMPL"], precision)
    if notebook["CARRY_STATE"]:  # watchers() sets the carried state back to zeros at each epoch's start
        model.carry_state(notebook["BATCH_SIZE"])
    learning_rate = notebook["LEARNING_RATE"]
    if notebook["LR_SCHEDULE"] == "cosine":  # big steps while the loss is high, small ones to settle at the end
        steps = notebook["EPOCHS"] * len(notebook["train_ds"])
        learning_rate = keras.optimizers.schedules.CosineDecay(learning_rate, steps, alpha=0.1)
    return model, learning_rate


def save_epoch(model: keras.Model, run_dir: str | Path, epoch: int, logs: dict, keep: int = 3) -> None:
    """Record a finished epoch (its losses in history.json, then its weights), keeping the newest ``keep`` checkpoints
    and the best; an epoch whose loss is not finite is refused, naming the last good checkpoint."""
    run_dir = Path(run_dir)
    if not math.isfinite(float(logs.get("loss", 0.0))):
        kept = list_checkpoints(run_dir)
        last = kept[max(kept)].name if kept else message("training.no_checkpoint")
        raise TrainingDiverged(message("training.diverged", epoch=epoch, loss=float(logs["loss"]), last=last))
    history = read_history(run_dir)
    for key, value in logs.items():
        history.setdefault(key, []).append(float(value))
    history.setdefault("epoch", []).append(epoch)
    # History first: if the process dies between the two writes, resume() drops the
    # entry that has no checkpoint, rather than finding a checkpoint with no entry.
    write_json(run_dir / "history.json", history)
    save_weights_atomically(model, checkpoint_path(run_dir, epoch))
    checkpoints = list_checkpoints(run_dir)
    kept = set(sorted(checkpoints)[-keep:])
    best = best_of(history, among=checkpoints)
    if best:
        kept.add(best[0])
    for old, path in checkpoints.items():
        if old not in kept:
            path.unlink()


class ResetCarriedState(keras.callbacks.Callback):
    """At each epoch's start, a carried state (CARRY_STATE) goes back to zeros: the streams start again."""

    def on_epoch_begin(self, epoch, logs=None):
        self.model.reset_carried_state()


def resume(model: keras.Model, run_dir: str | Path, epochs: int, patience: int | None = None) -> int:
    """Load the latest checkpoint of ``run_dir`` into ``model``, dropping any later history; return the epoch to
    start from (0 for a new run, ``epochs`` for a run that ``patience`` has already stopped)."""
    checkpoints = list_checkpoints(run_dir)
    epoch = max(checkpoints, default=0)
    optimizer = model.optimizer  # compiled: notebook 04 resumes after model.compile
    if epoch:
        if not optimizer.built:
            optimizer.build(model.trainable_variables)  # so Adam's moments (and its step count) are restored too
        learning_rate = float(optimizer.learning_rate)
        model.load_weights(checkpoints[epoch])
        if hasattr(optimizer.learning_rate, "assign"):  # a constant rate; a schedule follows the step count
            optimizer.learning_rate.assign(learning_rate)  # this run's LEARNING_RATE, not the saved one
    history = read_history(run_dir)
    if history:
        keep = [i for i, e in enumerate(history["epoch"]) if e <= epoch]
        write_json(Path(run_dir) / "history.json", {k: [v[i] for i in keep] for k, v in history.items()})
    if epoch:
        print(message("training.resuming", run_dir=run_dir, epoch=epoch, epochs=epochs))
    stale = epochs_without_improvement(read_history(run_dir))
    if patience is not None and epoch < epochs and stale >= patience:
        print(message("training.not_resuming", stale=stale, patience=patience))
        return epochs
    return epoch


def watchers(run_dir: str | Path, initial_epoch: int, epochs: int, train_ds, val_ds=None, vocab=None,
             patience: int | None = None, advise: bool = True) -> list[keras.callbacks.Callback]:
    """The callbacks ``fit`` adds around the checkpoint: progress with a sample after each epoch, a stop at the first
    NaN loss and after ``patience``, the carried state's reset; with ``advise``, first how long training will take."""
    check_value("EPOCHS", epochs)
    check_value("PATIENCE", patience)
    progress = Progress(epochs, _steps(train_ds), vocab)
    advice = (train_ds, val_ds, epochs - initial_epoch) if advise and initial_epoch < epochs else None
    stop = [StopWhenStale(run_dir, patience)] if patience is not None else []
    return [keras.callbacks.TerminateOnNaN(), ProgressCallback(progress, advice), ResetCarriedState(), *stop]


def epochs_without_improvement(history: dict[str, list[float]]) -> int:
    """How many epochs have passed since the lowest validation loss of ``history``."""
    best = best_of(history)
    return len(history["epoch"]) - 1 - history["epoch"].index(best[0]) if best else 0


class StopWhenStale(keras.callbacks.Callback):
    """Early stopping on the run's whole history, so the count survives a resume (Keras's ``EarlyStopping`` counts
    the current ``fit`` call's epochs only); ``save_epoch`` keeps the best checkpoint, so nothing is restored."""

    def __init__(self, run_dir: str | Path, patience: int):
        super().__init__()
        self.run_dir, self.patience = Path(run_dir), patience

    def on_epoch_end(self, epoch, logs=None):
        stale = epochs_without_improvement(read_history(self.run_dir))
        if stale >= self.patience:
            print(message("training.stopping" if stale > 1 else "training.stopping_after_one", epoch=epoch + 1, stale=stale,
                          patience=self.patience))
            self.model.stop_training = True


def _steps(dataset) -> int | None:
    steps = int(dataset.cardinality())
    return steps if steps > 0 else None


def evaluate(model: keras.Model, dataset) -> float:
    """The mean loss over ``dataset``'s batches, as ``model.fit`` reports ``val_loss``."""
    step = model.traced_once("evaluate", lambda: _loss_step(model))  # one compiled step per model: traced once
    mean = keras.metrics.Mean()
    for inputs, target in dataset:
        mean.update_state(step(inputs, target), sample_weight=tf.shape(inputs)[0])
    return float(mean.result())


def _loss_step(model: keras.Model):
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    return tf.function(lambda inputs, target: loss(target, model(inputs, training=False)))


def carried_state_loss(model, val_ids: np.ndarray, seq_length: int = 100, streams: int = 64) -> float:
    """The mean loss over ``val_ids`` read as ``streams`` contiguous pieces, the state carried from window to window
    (so the windows' length does not matter: only each stream's first character is read from a zero state)."""
    length = (len(val_ids) - 1) // streams
    inputs = np.stack([val_ids[i * length:(i + 1) * length] for i in range(streams)])
    targets = np.stack([val_ids[i * length + 1:(i + 1) * length + 1] for i in range(streams)])
    per_char = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)
    window = tf.function(lambda x, states: model(x, states=states, return_state=True))  # compiled: traced once or twice
    states, losses = None, []
    for start in range(0, length, seq_length):
        logits, states = window(inputs[:, start:start + seq_length], states)
        losses.append(per_char(targets[:, start:start + seq_length], logits).numpy().ravel())
    return float(np.concatenate(losses).mean())
