"""Training speed in the steady state, against this machine's limit and against Keras's GRU.

    .venv/bin/python benchmarks/bench_train.py [--quick]

Both models are the tutorial's (vocabulary 65, embedding 256, GRU 1024) with the same initial weights,
compiled the tutorial's way (Adam, cross-entropy on logits), and trained by ``model.fit`` on a
``tf.data`` pipeline like notebook 04's (random ids, so no corpus is needed): STEPS batches of 64 x 100
per timed call, after a warm-up call, the models interleaved, REPEATS times. Each figure is the median
seconds per step, with the fastest and slowest repeat beside it.

The limit is a roofline worked out in the same run. A training step's matrix products are of two
kinds: the recurrent ones, which must run one time step after another (the state times the recurrent
kernel forward, and its gradient times the kernel's transpose backward: 64 x 1024 by 1024 x 3072 and
back, 100 times each), and the batched ones, which take all 6,400 positions at once (the input
projection and its two gradients, the recurrent kernel's gradient, the dense layer and its two
gradients). Each shape's rate is measured here as a compiled chain of that product alone; the
roofline is the sum of each product's FLOPs over its rate. FusedGRU does exactly these products;
Keras's GRU does the same arithmetic but computes the recurrent kernel's gradient step by step.
"""

from __future__ import annotations

import argparse
import statistics
import time

import helpers

helpers.quiet_tensorflow()
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from helpers.model import build_model  # noqa: E402
from limits import matmul_rate  # noqa: E402

VOCAB_SIZE, EMBEDDING_DIM, RNN_UNITS, BATCH_SIZE, SEQ_LENGTH = 65, 256, 1024, 64, 100
TARGET = 0.85  # the share of the roofline a training step should reach
STEPS = 12  # batches per timed fit call: enough that one call's set-up is a small part of it


def pipeline(steps: int) -> tf.data.Dataset:
    """``steps`` batches of random ids, split into input and target as notebook 02 does."""
    ids = np.random.default_rng(0).integers(0, VOCAB_SIZE, (steps * BATCH_SIZE, SEQ_LENGTH + 1)).astype("int32")
    return (tf.data.Dataset.from_tensor_slices(ids).map(lambda s: (s[:-1], s[1:]))
            .batch(BATCH_SIZE, drop_remainder=True).prefetch(tf.data.AUTOTUNE))


def compiled_model(gru_impl: str, weights: list | None = None) -> keras.Model:
    model = build_model(VOCAB_SIZE, EMBEDDING_DIM, RNN_UNITS, gru_impl=gru_impl)
    if weights is not None:
        model.set_weights(weights)
    model.compile(optimizer=keras.optimizers.Adam(), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def seconds_per_step(model: keras.Model, data: tf.data.Dataset, steps: int) -> float:
    start = time.perf_counter()
    model.fit(data, epochs=1, verbose=0, shuffle=False)  # the pipeline is already in its order
    return (time.perf_counter() - start) / steps


def products(batch: int = BATCH_SIZE, steps: int = SEQ_LENGTH, units: int = RNN_UNITS, embedding: int = EMBEDDING_DIM,
             vocab: int = VOCAB_SIZE) -> dict[str, tuple[tuple[int, int, int], int]]:
    """A training step's matrix products: name -> ((m, k, n) of one product, how many of them run in a step)."""
    positions, gates = batch * steps, 3 * units
    return {
        "recurrent forward (state @ kernel)": ((batch, units, gates), steps),
        "recurrent backward (gradient @ kernel.T)": ((batch, gates, units), steps),
        "input projection": ((positions, embedding, gates), 1),
        "input projection, gradient of its input": ((positions, gates, embedding), 1),
        "input projection, gradient of its kernel": ((embedding, positions, gates), 1),
        "recurrent kernel, gradient": ((units, positions, gates), 1),
        "dense layer": ((positions, units, vocab), 1),
        "dense layer, gradient of its input": ((positions, vocab, units), 1),
        "dense layer, gradient of its kernel": ((units, positions, vocab), 1),
    }


def roofline(dtype=tf.float32) -> dict:
    """Seconds a training step would take if it were nothing but its matrix products at their measured rates."""
    parts = {}
    for name, ((m, k, n), count) in products().items():
        rate = matmul_rate(m, k, n, dtype)
        parts[name] = {"shape": [m, k, n], "count": count, "gflop": count * 2 * m * k * n / 1e9, "gflop_per_s": rate / 1e9,
                       "seconds": count * 2 * m * k * n / rate}
    recurrent = {k: v for k, v in parts.items() if k.startswith("recurrent ") and v["count"] > 1}
    return {"seconds": sum(p["seconds"] for p in parts.values()),
            "recurrent_gflop": sum(p["gflop"] for p in recurrent.values()),
            "batched_gflop": sum(p["gflop"] for n, p in parts.items() if n not in recurrent),
            "products": parts}


def figures(quick: bool = False) -> list[dict]:
    """Seconds per step of each GRU (median, min, max), as a share of the roofline and against Keras's GRU."""
    repeats = 3 if quick else 5
    keras.utils.set_random_seed(0)
    data = pipeline(STEPS)
    baseline = compiled_model("keras")
    models = {"Keras GRU (baseline)": baseline, "FusedGRU": compiled_model("fused", baseline.get_weights())}
    for model in models.values():  # warm up: traces the training function, fills the pipeline, allocates
        seconds_per_step(model, data, STEPS)
    times = {name: [] for name in models}
    for _ in range(repeats):  # interleaved, so background load hits both alike
        for name, model in models.items():
            times[name].append(seconds_per_step(model, data, STEPS))
    limit = roofline()
    median = {name: statistics.median(t) for name, t in times.items()}
    base = median["Keras GRU (baseline)"]
    rows = []
    for name, t in times.items():
        rows.append(dict(name=f"training step, {name}", value=median[name], unit="s/step", spread=[min(t), max(t)],
                         limit=limit["seconds"], fraction=limit["seconds"] / median[name],
                         target=None if name.startswith("Keras") else TARGET, baseline=base, ratio=base / median[name],
                         steps_per_call=STEPS, repeats=repeats))
    rows.append(dict(name="training step roofline (float32)", value=limit["seconds"], unit="s/step",
                     recurrent_gflop=limit["recurrent_gflop"], batched_gflop=limit["batched_gflop"],
                     products=limit["products"]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 5")
    from run import print_table  # the table `make bench` prints

    print_table(figures(parser.parse_args().quick))


if __name__ == "__main__":
    main()
