"""Training: the loss, checkpoints in a run directory, Keras fit and a GradientTape loop."""

from __future__ import annotations

import json
import math
import os
import re
import time
from pathlib import Path

import keras
import tensorflow as tf

from helpers.errors import UserError
from helpers.model import CharRNN, build_model
from helpers.vocab import Vocab

CHECKPOINTS = "checkpoints"
CHECKPOINT_RE = re.compile(r"^epoch_(\d+)\.weights\.h5$")


class RunDirError(UserError, ValueError):
    """A run directory that is missing, empty, or holds a model of other settings."""


def make_loss() -> keras.losses.Loss:
    """Cross-entropy between the target ids and the model's logits (not probabilities)."""
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def compile_model(model: keras.Model, learning_rate: float = 1e-3) -> keras.Model:
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=make_loss())
    return model


# -- the run directory: everything generation needs, without the corpus ------------------------

def save_run(run_dir: str | Path, model: CharRNN, vocab: Vocab, params: dict | None = None) -> Path:
    """Write the vocabulary, the model's sizes and the run's parameters into ``run_dir``."""
    run_dir = Path(run_dir)
    check_run_matches(run_dir, model, vocab)
    (run_dir / CHECKPOINTS).mkdir(parents=True, exist_ok=True)
    vocab.save(run_dir / "vocab.json")
    _write_json(run_dir / "model.json", model.config)
    if params is not None:
        _write_json(run_dir / "params.json", params)
    return run_dir


def check_run_matches(run_dir: Path, model: CharRNN, vocab: Vocab) -> None:
    """Refuse a run directory whose saved model or vocabulary differs from this one."""
    names = {"vocab_size": "vocabulary size", "embedding_dim": "EMBEDDING_DIM", "rnn_units": "RNN_UNITS",
             "rnn_type": "RNN_TYPE", "num_layers": "NUM_LAYERS", "dropout": "DROPOUT"}
    differences = []
    if (run_dir / "model.json").exists():
        saved = json.loads((run_dir / "model.json").read_text())
        differences += [f"{names.get(k, k)} is {saved.get(k)!r} there, {v!r} here"
                        for k, v in model.config.items() if saved.get(k) != v]
    if (run_dir / "vocab.json").exists() and Vocab.load(run_dir / "vocab.json") != vocab:
        differences.append("its vocabulary comes from another text")
    if differences:
        raise RunDirError(
            f"{run_dir} holds a model trained with other settings ({'; '.join(differences)}). "
            f"Set RUN_DIR to a new folder, or use that run's settings; its checkpoints are left untouched."
        )


def checkpoint_path(run_dir: str | Path, epoch: int) -> Path:
    return Path(run_dir) / CHECKPOINTS / f"epoch_{epoch:03d}.weights.h5"


def list_checkpoints(run_dir: str | Path) -> dict[int, Path]:
    """Epoch number -> checkpoint file, for the completed checkpoints in ``run_dir``."""
    folder = Path(run_dir) / CHECKPOINTS
    found = {}
    if folder.is_dir():
        for path in folder.iterdir():
            match = CHECKPOINT_RE.match(path.name)
            if match:
                found[int(match.group(1))] = path
    return dict(sorted(found.items()))


def latest_checkpoint(run_dir: str | Path) -> Path | None:
    checkpoints = list_checkpoints(run_dir)
    return checkpoints[max(checkpoints)] if checkpoints else None


def save_weights_atomically(model: keras.Model, path: Path) -> None:
    """Write to a temporary file, then rename: a crash mid-write leaves the old files intact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary_name(path)
    model.save_weights(tmp)
    os.replace(tmp, path)


def load_run(run_dir: str | Path, checkpoint: str | Path | None = None) -> tuple[CharRNN, Vocab]:
    """Rebuild the model of ``run_dir`` and load its latest (or the given) checkpoint."""
    run_dir = Path(run_dir)
    needed = [run_dir / "vocab.json", run_dir / "model.json"]
    missing = [p.name for p in needed if not p.exists()]
    checkpoint = Path(checkpoint) if checkpoint else latest_checkpoint(run_dir)
    if missing or checkpoint is None:
        what = ", ".join(missing) if missing else "a checkpoint"
        raise RunDirError(
            f"{run_dir} has no trained model (missing {what}). Run notebooks/04_fit.ipynb first, "
            f"or set RUN_DIR to the folder a training run wrote."
        )
    vocab = Vocab.load(run_dir / "vocab.json")
    config = json.loads((run_dir / "model.json").read_text())
    model = build_model(**config)
    try:
        model.load_weights(checkpoint)
    except ValueError as error:
        raise RunDirError(
            f"{checkpoint} does not fit the model described in {run_dir / 'model.json'} ({config}): {error}. "
            f"Use the checkpoint of the run that wrote that folder."
        ) from None
    return model, vocab


def read_history(run_dir: str | Path) -> dict[str, list[float]]:
    path = Path(run_dir) / "history.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _temporary_name(path: Path) -> Path:
    """A sibling name for writing ``path`` before renaming it (same suffix: Keras checks it)."""
    return path.with_name(f".tmp-{os.getpid()}-{path.name}")


def _write_json(path: Path, data) -> None:
    tmp = _temporary_name(path)
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False))
    os.replace(tmp, path)


class RunCheckpoint(keras.callbacks.Callback):
    """After each epoch: save the weights, append the epoch's losses to history.json, prune old files.

    Keeps the newest ``keep`` checkpoints and the one with the lowest validation loss.
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
        if self.diverged is not None:
            kept = latest_checkpoint(self.run_dir)
            print(f"Training stopped in epoch {epoch + 1}: the loss became {self.diverged}. "
                  f"Nothing of this epoch was saved; the last good checkpoint is "
                  f"{kept.name if kept else 'none (no epoch finished)'}. Try a smaller LEARNING_RATE.")
            return
        history = read_history(self.run_dir)
        for key, value in (logs or {}).items():
            history.setdefault(key, []).append(float(value))
        history.setdefault("seconds", []).append(time.perf_counter() - self.started)
        history.setdefault("epoch", []).append(epoch + 1)
        # History first: if the process dies between the two writes, resume() drops the
        # entry that has no checkpoint, rather than finding a checkpoint with no entry.
        _write_json(self.run_dir / "history.json", history)
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
            optimizer.build(model.trainable_variables)  # so Adam's moments are restored too
        learning_rate = float(optimizer.learning_rate)
        model.load_weights(checkpoints[epoch])
        optimizer.learning_rate.assign(learning_rate)  # this run's LEARNING_RATE, not the saved one
    elif epoch:
        model.load_weights(checkpoints[epoch])
    history = read_history(run_dir)
    if history:
        keep = [i for i, e in enumerate(history["epoch"]) if e <= epoch]
        _write_json(Path(run_dir) / "history.json", {k: [v[i] for i in keep] for k, v in history.items()})
    return epoch


def fit(model: keras.Model, train_ds, val_ds, epochs: int, run_dir: str | Path,
        verbose: int = 2, callbacks: tuple = ()) -> dict[str, list[float]]:
    """``model.fit`` for ``epochs`` epochs, saving a checkpoint and the history in ``run_dir`` after each.

    A run directory that already holds checkpoints is resumed from its latest
    one, so an interrupted run loses at most the epoch in progress.
    Returns the whole history, resumed epochs included.
    """
    done = resume(model, run_dir)
    if done:
        print(f"Resuming {run_dir} after epoch {done} of {epochs}.")
    if done < epochs:
        # shuffle=False: the tf.data pipeline already shuffles, Keras must not try to.
        model.fit(train_ds, validation_data=val_ds, epochs=epochs, initial_epoch=done, shuffle=False,
                  callbacks=[*callbacks, RunCheckpoint(run_dir)], verbose=verbose)
    return read_history(run_dir)


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


def train_custom(model: keras.Model, dataset, epochs: int, run_dir: str | Path | None = None,
                 learning_rate: float = 1e-3, log_every: int = 100, save_every: int = 5,
                 print_fn=print) -> dict[str, list[float]]:
    """Train with ``make_train_step``; the epoch loss is the mean over the epoch's batches."""
    train_step = make_train_step(model, keras.optimizers.Adam(learning_rate), make_loss())
    mean_loss = keras.metrics.Mean()
    history = {"loss": [], "seconds": []}
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        mean_loss.reset_state()
        # The model is stateless: every batch starts from a zero RNN state,
        # so there is no state to reset between epochs.
        for batch, (inputs, target) in enumerate(dataset):
            loss = train_step(inputs, target)
            mean_loss.update_state(loss)
            if batch % log_every == 0:
                print_fn(f"Epoch {epoch} Batch {batch} Loss {float(loss):.4f}")
        seconds = time.perf_counter() - start
        history["loss"].append(float(mean_loss.result()))
        history["seconds"].append(seconds)
        if run_dir is not None and epoch % save_every == 0:
            save_weights_atomically(model, checkpoint_path(run_dir, epoch))
        print_fn(f"Epoch {epoch} Loss {history['loss'][-1]:.4f} (mean of the epoch's batches)")
        print_fn(f"Time taken for epoch {epoch}: {seconds:.1f} s\n")
    return history
