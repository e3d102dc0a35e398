"""What a learner sees while a model trains: a live progress line in a notebook, one line per
epoch with its losses, a short sample that shows noise turning into words, and, before a long
run on a CPU, how long it will take."""

from __future__ import annotations

import math
import time

import keras

from helpers.messages import message

SAMPLE_START = "ROMEO: "
SAMPLE_CHARS = 200
TEN_MINUTES = 600.0


def bits_per_char(loss: float) -> float:
    """A cross-entropy in nats per character, in bits per character."""
    return loss / math.log(2)


def describe_loss(loss: float) -> str:
    """A cross-entropy in nats, also as bits per character and perplexity."""
    return message("progress.loss", loss=loss, bits=bits_per_char(loss), perplexity=math.exp(loss))


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(round(seconds)), 60)
    return f"{minutes}:{seconds:02d}"


class _LiveLine:
    """One line of text that updates in place in a notebook (a no-op outside one): a saved notebook keeps its last state."""

    def __init__(self):
        self.handle = None
        try:
            from IPython import get_ipython

            if getattr(get_ipython(), "kernel", None) is not None:
                from IPython.display import Pretty, display

                self._pretty = Pretty
                self.handle = display(Pretty(""), display_id=True)
        except ImportError:
            pass
        self.shown = 0.0

    def update(self, text: str, force: bool = False) -> None:
        if self.handle is not None and (force or time.monotonic() - self.shown > 0.5):
            self.handle.update(self._pretty(text))
            self.shown = time.monotonic()


class Progress:
    """Reports training as it goes; used by ``fit``'s callback and by the GradientTape loop."""

    def __init__(self, epochs: int, steps: int | None, vocab=None, model=None):
        self.epochs, self.steps, self.vocab, self.model = epochs, steps, vocab, model
        self.line = _LiveLine()
        self.epoch = 0
        self.started = 0.0

    def begin_epoch(self, epoch: int) -> None:
        self.epoch, self.started = epoch, time.perf_counter()

    def step(self, step: int, loss: float) -> None:
        elapsed = time.perf_counter() - self.started
        if self.steps and step:
            left = message("progress.left", left=_clock(elapsed / step * (self.steps - step)))
            count = f"{step}/{self.steps}"
            bar = "█" * (20 * step // self.steps) + "░" * (20 - 20 * step // self.steps)
        else:
            left, count, bar = "", str(step), ""
        self.line.update(message("progress.step", epoch=self.epoch, epochs=self.epochs, bar=bar, count=count,
                                 elapsed=_clock(elapsed), left=left, loss=loss))

    def end_epoch(self, epoch: int, loss: float, val_loss: float | None = None) -> None:
        seconds = time.perf_counter() - self.started
        self.line.update(message("progress.epoch_done", epoch=epoch, epochs=self.epochs, elapsed=_clock(seconds)), force=True)
        if not math.isfinite(loss):
            return
        validation = message("progress.validation", loss=describe_loss(val_loss)) if val_loss is not None else ""
        print(message("progress.epoch", epoch=epoch, epochs=self.epochs, seconds=seconds, loss=loss, validation=validation))
        if self.vocab is not None and self.model is not None:
            from helpers.generation import generate

            start = SAMPLE_START if set(SAMPLE_START) <= set(self.vocab.chars) else self.vocab.chars[0]  # another text
            sample = generate(self.model, self.vocab, start, SAMPLE_CHARS, seed=epoch)
            print("    " + sample.replace("\n", "\n    ") + "\n")


class ProgressCallback(keras.callbacks.Callback):
    """``Progress`` for ``model.fit``, in place of Keras's own per-step log."""

    def __init__(self, progress: Progress, advice: tuple | None = None):
        super().__init__()
        self.progress = progress
        self.advice = advice  # (train_ds, val_ds, epochs left): say first how long they will take on this CPU

    def on_train_begin(self, logs=None):
        self.progress.model = self.progress.model or self.model  # the sample after each epoch comes from it
        if self.advice is not None:
            advise_on_duration(self.model, *self.advice)

    def on_epoch_begin(self, epoch, logs=None):
        self.progress.begin_epoch(epoch + 1)

    def on_train_batch_end(self, batch, logs=None):
        self.progress.step(batch + 1, float((logs or {}).get("loss", math.nan)))

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.progress.end_epoch(epoch + 1, float(logs.get("loss", math.nan)), logs.get("val_loss"))


def estimate_seconds(model: keras.Model, train_ds, val_ds, epochs: int) -> tuple[float, float, int] | None:
    """Time a few training steps on a twin of ``model``, on random ids: (seconds per step, seconds in all, steps per
    epoch), or None where the steps or the batches' shape are unknown. A batch drawn from ``train_ds`` would change
    the order in which training then sees the shuffled pipeline."""
    import numpy as np

    from helpers.model import build_model

    steps = int(train_ds.cardinality())
    val_steps = int(val_ds.cardinality()) if val_ds is not None else 0
    shape = tuple(train_ds.element_spec[0].shape)
    if steps < 1 or None in shape:
        return None
    twin = build_model(**model.config, gru_impl=getattr(model, "gru_impl", None) or "auto",
                       precision=model.dtype_policy.name)
    twin.compile(optimizer=keras.optimizers.Adam(), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    inputs = target = np.random.default_rng(0).integers(0, model.config["vocab_size"], shape, dtype=np.int32)
    twin.train_on_batch(inputs, target)  # the first call compiles
    started = time.perf_counter()
    for _ in range(2):
        twin.train_on_batch(inputs, target)
    per_step = (time.perf_counter() - started) / 2
    per_val_step = 0.0
    if val_steps > 0:
        twin.test_on_batch(inputs, target)
        started = time.perf_counter()
        twin.test_on_batch(inputs, target)
        per_val_step = time.perf_counter() - started
    return per_step, epochs * (steps * per_step + val_steps * per_val_step), steps


def advise_on_duration(model: keras.Model, train_ds, val_ds, epochs: int) -> None:
    """On a CPU, say how long training will take here and, past ten minutes, which one change fits in ten."""
    from helpers.precision import BF16_FLAGS, cpu_flags, cpu_kind, gpus

    if gpus():
        return
    estimate = estimate_seconds(model, train_ds, val_ds, epochs)
    if estimate is None:
        return
    per_step, total, steps = estimate
    flags = cpu_flags()
    kind = cpu_kind(flags)
    print(message("progress.estimate", kind=f" ({kind})" if kind else "", per_step=per_step, epochs=epochs, steps=steps,
                  minutes=total / 60))
    if total > TEN_MINUTES:
        per_epoch = total / epochs
        if per_epoch <= TEN_MINUTES:
            change = f"EPOCHS = {int(TEN_MINUTES // per_epoch)}"
        else:
            change = f"MAX_STEPS_PER_EPOCH = {max(1, int(steps * TEN_MINUTES / per_epoch / epochs))}"
        print(message("progress.advice", change=change))
        if model.dtype_policy.name == "float32" and any(flag in flags for flag in BF16_FLAGS):
            print(message("progress.bf16"))
