"""Training speed: one model.fit step with our FusedGRU against Keras's GRU, on the CPU.

    .venv/bin/python benchmarks/bench_train.py [--quick]

Both models are the tutorial's (vocabulary 65, embedding 256, GRU 1024, 4,021,569
parameters) with the same initial weights, compiled the tutorial's way (Adam,
cross-entropy on logits) and fed random ids in batches of 64 sequences of 100
characters, so no corpus is needed. They run in this process, interleaved after a
warm-up, and each figure is the median time of one training step.
"""

from __future__ import annotations

import argparse
import statistics
import time

import helpers  # noqa: F401
import keras
import numpy as np
import tensorflow as tf

from helpers.model import build_model

VOCAB_SIZE, EMBEDDING_DIM, RNN_UNITS, BATCH_SIZE, SEQ_LENGTH = 65, 256, 1024, 64, 100
TARGET = 1.6  # the speed issue's goal for a training step against plain model.fit with Keras's GRU


def compiled_model(gru_impl: str, weights: list | None = None, jit_compile: bool | str = "auto") -> keras.Model:
    """The tutorial's model, compiled as helpers.training.compile_model does (Keras's "auto" means no XLA on a CPU)."""
    model = build_model(VOCAB_SIZE, EMBEDDING_DIM, RNN_UNITS, gru_impl=gru_impl)
    if weights is not None:
        model.set_weights(weights)
    model.compile(optimizer=keras.optimizers.Adam(), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  jit_compile=jit_compile)
    return model


def seconds_per_step(model: keras.Model, inputs: np.ndarray, targets: np.ndarray) -> float:
    start = time.perf_counter()
    model.fit(inputs, targets, batch_size=BATCH_SIZE, epochs=1, shuffle=False, verbose=0)
    return (time.perf_counter() - start) / (len(inputs) // BATCH_SIZE)


def figures(quick: bool = False) -> list[dict]:
    """Median seconds per training step of each GRU; ratio = the baseline's time / this one's (the speed-up)."""
    steps, repeats = (1, 3) if quick else (3, 5)
    keras.utils.set_random_seed(0)
    ids = np.random.default_rng(0).integers(0, VOCAB_SIZE, (steps * BATCH_SIZE, SEQ_LENGTH + 1)).astype("int32")
    inputs, targets = ids[:, :-1], ids[:, 1:]
    baseline = compiled_model("keras")
    models = {"Keras GRU (baseline)": baseline, "FusedGRU": compiled_model("fused", baseline.get_weights()),
              "FusedGRU, fit with XLA": compiled_model("fused", baseline.get_weights(), jit_compile=True)}
    for model in models.values():  # warm up: traces the training function and allocates
        seconds_per_step(model, inputs[:BATCH_SIZE], targets[:BATCH_SIZE])
    times = {name: [] for name in models}
    for _ in range(repeats):  # interleaved, so background load hits both alike
        for name, model in models.items():
            times[name].append(seconds_per_step(model, inputs, targets))
    median = {name: statistics.median(t) for name, t in times.items()}
    base = median["Keras GRU (baseline)"]
    return [dict(name=f"training step, {name}", value=value, unit="s/step", baseline=base, ratio=base / value,
                 target=None if name.startswith("Keras") else TARGET) for name, value in median.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 step per measurement, 3 repeats")
    args = parser.parse_args()
    rows = figures(args.quick)
    print(f"batch {BATCH_SIZE} x {SEQ_LENGTH} characters, GRU {RNN_UNITS}, median of the repeats, "
          f"TensorFlow {tf.__version__}")
    print(f"{'case':34} {'s/step':>8} {'speed-up':>9}")
    for row in rows:
        print(f"{row['name']:34} {row['value']:8.2f} {row['ratio']:8.2f}x")


if __name__ == "__main__":
    main()
