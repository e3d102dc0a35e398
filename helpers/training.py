"""Training: the loss, Keras fit with a checkpoint per epoch, progress a learner can watch, and a GradientTape loop."""

from __future__ import annotations

import math
import time
from pathlib import Path

import keras
import tensorflow as tf

from helpers.errors import UserError
from helpers.progress import Progress, ProgressCallback, advise_on_duration
from helpers.rundir import checkpoint_path, latest_checkpoint, list_checkpoints, read_history, save_weights_atomically, write_json


def make_loss() -> keras.losses.Loss:
    """Cross-entropy between the target ids and the model's logits (not probabilities)."""
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def compile_model(model: keras.Model, learning_rate: float = 1e-3, clip_norm: float | None = None,
                  lr_schedule: str = "constant", total_steps: int | None = None) -> keras.Model:
    """Adam on the cross-entropy loss.

    ``clip_norm`` rescales each step's gradients so that together their norm is at most that
    value. ``lr_schedule="cosine"`` lowers the step size along a half cosine from
    ``learning_rate`` to a tenth of it over ``total_steps`` optimisation steps.
    """
    if lr_schedule == "cosine":
        if not total_steps:
            raise ValueError("lr_schedule='cosine' needs total_steps, the number of steps of the whole run.")
        learning_rate = keras.optimizers.schedules.CosineDecay(learning_rate, total_steps, alpha=0.1)
    elif lr_schedule != "constant":
        raise ValueError(f"lr_schedule={lr_schedule!r} is not known; use 'constant' or 'cosine'.")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, global_clipnorm=clip_norm), loss=make_loss())
    return model


class TrainingDiverged(UserError, RuntimeError):
    """The loss became NaN or infinite; the message names the epoch and the checkpoint that is still good."""


class RunCheckpoint(keras.callbacks.Callback):
    """After each epoch: save the weights, append the epoch's losses to history.json, prune old files.

    Keeps the newest ``keep`` checkpoints and the one with the lowest validation loss. It stands in
    for three stock Keras callbacks: ``BackupAndRestore`` (which deletes its backup when training
    ends, so it cannot be the folder generation reads), ``ModelCheckpoint`` (no history, no pruning)
    and ``TerminateOnNaN`` (which stops, but does not say which checkpoint is still good).
    """

    def __init__(self, run_dir: str | Path, keep: int = 3):
        super().__init__()
        self.run_dir = Path(run_dir)
        self.keep = keep
        self.started = 0.0
        self.diverged = None

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            self.diverged = float(loss)
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        if self.diverged is not None:  # raised here, so model.fit (and the notebook cell) stops with one line
            kept = latest_checkpoint(self.run_dir)
            raise TrainingDiverged(f"Training stopped in epoch {epoch + 1}: the loss became {self.diverged}. "
                                   f"Nothing of this epoch was saved; the last good checkpoint is "
                                   f"{kept.name if kept else 'none (no epoch finished)'}. Try a smaller LEARNING_RATE.")
        history = read_history(self.run_dir)
        for key, value in (logs or {}).items():
            history.setdefault(key, []).append(float(value))
        history.setdefault("seconds", []).append(time.perf_counter() - self.started)
        history.setdefault("epoch", []).append(epoch + 1)
        # History first: if the process dies between the two writes, resume() drops the
        # entry that has no checkpoint, rather than finding a checkpoint with no entry.
        write_json(self.run_dir / "history.json", history)
        save_weights_atomically(self.model, checkpoint_path(self.run_dir, epoch + 1))
        self._prune(history)

    def _prune(self, history):
        checkpoints = list_checkpoints(self.run_dir)
        keep = set(sorted(checkpoints)[-self.keep:])
        losses = dict(zip(history.get("epoch", []), history.get("val_loss", [])))
        scored = [e for e in checkpoints if e in losses and math.isfinite(losses[e])]
        if scored:
            keep.add(min(scored, key=losses.get))
        for epoch, path in checkpoints.items():
            if epoch not in keep:
                path.unlink()


def resume(model: keras.Model, run_dir: str | Path) -> int:
    """Load the latest checkpoint of ``run_dir`` into ``model``; return its epoch (0 if none).

    History entries after that epoch (from an interrupted epoch) are dropped.
    """
    checkpoints = list_checkpoints(run_dir)
    epoch = max(checkpoints, default=0)
    optimizer = model.optimizer
    if epoch and optimizer is not None:
        if not optimizer.built:
            optimizer.build(model.trainable_variables)  # so Adam's moments (and its step count) are restored too
        learning_rate = float(optimizer.learning_rate)
        model.load_weights(checkpoints[epoch])
        if hasattr(optimizer.learning_rate, "assign"):  # a constant rate; a schedule follows the step count
            optimizer.learning_rate.assign(learning_rate)  # this run's LEARNING_RATE, not the saved one
    elif epoch:
        model.load_weights(checkpoints[epoch])
    history = read_history(run_dir)
    if history:
        keep = [i for i, e in enumerate(history["epoch"]) if e <= epoch]
        write_json(Path(run_dir) / "history.json", {k: [v[i] for i in keep] for k, v in history.items()})
    return epoch


def fit(model: keras.Model, train_ds, val_ds, epochs: int, run_dir: str | Path, vocab=None,
        verbose: int = 0, callbacks: tuple = (), estimate: bool = True,
        patience: int | None = None) -> dict[str, list[float]]:
    """``model.fit`` for ``epochs`` epochs, saving a checkpoint and the history in ``run_dir`` after each.

    A run directory that already holds checkpoints is resumed from its latest
    one, so an interrupted run loses at most the epoch in progress. Each epoch
    prints its losses and, given ``vocab``, a short sample. Given ``patience``,
    training stops once that many epochs in a row have not lowered the best
    validation loss. Returns the whole history, resumed epochs included.
    """
    done = resume(model, run_dir)
    if done:
        print(f"Resuming {run_dir} after epoch {done} of {epochs}.")
    stale = epochs_without_improvement(read_history(run_dir))
    if patience is not None and done < epochs and stale >= patience:
        print(f"Not resuming: the last {stale} epochs did not lower the validation loss (PATIENCE = {patience}).")
    elif done < epochs:
        if estimate:
            advise_on_duration(model, train_ds, val_ds, epochs - done)
        progress = Progress(epochs, _steps(train_ds), vocab, model)
        stop = [StopWhenStale(run_dir, patience)] if patience is not None else []
        # shuffle=False: the tf.data pipeline already shuffles, Keras must not try to.
        model.fit(train_ds, validation_data=val_ds, epochs=epochs, initial_epoch=done, shuffle=False,
                  callbacks=[*callbacks, RunCheckpoint(run_dir), ProgressCallback(progress), *stop], verbose=verbose)
    return read_history(run_dir)


def epochs_without_improvement(history: dict[str, list[float]]) -> int:
    """How many epochs have passed since the lowest validation loss of ``history``."""
    losses = history.get("val_loss", [])
    return len(losses) - 1 - losses.index(min(losses)) if losses else 0


class StopWhenStale(keras.callbacks.Callback):
    """Early stopping on the run's whole history, so the count survives a resume.

    Keras's ``EarlyStopping`` counts only the epochs of the current ``fit`` call; the best
    weights need no restoring here, since ``RunCheckpoint`` keeps the best checkpoint on disk.
    """

    def __init__(self, run_dir: str | Path, patience: int):
        super().__init__()
        self.run_dir, self.patience = Path(run_dir), patience

    def on_epoch_end(self, epoch, logs=None):
        stale = epochs_without_improvement(read_history(self.run_dir))
        if stale >= self.patience:
            print(f"Stopping after epoch {epoch + 1}: the validation loss has not improved for {stale} "
                  f"epoch{'s' if stale > 1 else ''} "
                  f"(PATIENCE = {self.patience}).")
            self.model.stop_training = True


def _steps(dataset) -> int | None:
    steps = int(dataset.cardinality())
    return steps if steps > 0 else None


# -- the advanced section: the same training, written out by hand --------------------------------

def make_train_step(model: keras.Model, optimizer: keras.optimizers.Optimizer, loss_fn: keras.losses.Loss):
    """One compiled optimisation step on a batch: forward, loss, gradients, update."""

    @tf.function
    def train_step(inputs, target):
        with tf.GradientTape() as tape:
            logits = model(inputs, training=True)
            loss = loss_fn(target, logits)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    return train_step


def evaluate(model: keras.Model, dataset, loss_fn: keras.losses.Loss | None = None) -> float:
    """The mean loss over ``dataset``'s batches, as ``model.fit`` reports ``val_loss``."""
    loss_fn = loss_fn or make_loss()
    step = tf.function(lambda inputs, target: loss_fn(target, model(inputs, training=False)))
    mean = keras.metrics.Mean()
    for inputs, target in dataset:
        mean.update_state(step(inputs, target), sample_weight=tf.shape(inputs)[0])
    return float(mean.result())


def train_custom(model: keras.Model, dataset, epochs: int, run_dir: str | Path | None = None,
                 learning_rate: float = 1e-3, log_every: int = 100, save_every: int = 5,
                 val_ds=None, vocab=None, print_fn=print) -> dict[str, list[float]]:
    """Train with ``make_train_step``; the epoch loss is the mean over the epoch's batches.

    Given ``val_ds``, the validation loss is measured after each epoch, as ``fit`` does;
    given ``vocab``, each epoch ends with a short sample.
    """
    train_step = make_train_step(model, keras.optimizers.Adam(learning_rate), make_loss())
    mean_loss = keras.metrics.Mean()
    history = {"epoch": [], "loss": [], "seconds": []}
    progress = Progress(epochs, _steps(dataset), vocab, model, print_fn)
    for epoch in range(1, epochs + 1):
        progress.begin_epoch(epoch)
        mean_loss.reset_state()
        # The model is stateless: every batch starts from a zero RNN state,
        # so there is no state to reset between epochs.
        for batch, (inputs, target) in enumerate(dataset):
            loss = train_step(inputs, target)
            mean_loss.update_state(loss)
            progress.step(batch + 1, float(loss))
            if batch % log_every == 0:
                print_fn(f"Epoch {epoch} Batch {batch} Loss {float(loss):.4f}")
        history["epoch"].append(epoch)
        history["loss"].append(float(mean_loss.result()))
        if val_ds is not None:
            history.setdefault("val_loss", []).append(evaluate(model, val_ds))
        history["seconds"].append(time.perf_counter() - progress.started)
        if run_dir is not None and epoch % save_every == 0:
            save_weights_atomically(model, checkpoint_path(run_dir, epoch))
        progress.end_epoch(epoch, history["loss"][-1], history["val_loss"][-1] if val_ds is not None else None)
    return history
