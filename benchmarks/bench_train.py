"""Training speed in the steady state, against this machine's limit and against Keras's GRU.

    .venv/bin/python -m benchmarks.bench_train [--quick]

Both models are the tutorial's (vocabulary 65, embedding 256, GRU 1024) with the same initial weights,
compiled the tutorial's way (Adam, cross-entropy on logits), and trained by ``model.fit`` on a
``tf.data`` pipeline like notebook 04's (random ids, so no corpus is needed): STEPS batches of 64 x 100
per timed call, after a warm-up call, the models interleaved, REPEATS times. Each figure is the median
seconds per step, with the fastest and slowest repeat beside it. A step is timed from the start of a
call's first batch to the end of its last; the rest of each call is recorded beside it as
``setup_seconds``. Where the processor has bfloat16
instructions, FusedGRU also runs under ``mixed_bfloat16``, against its own roofline at bfloat16 rates.

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

from helpers.dataset import prefetched  # noqa: E402
from helpers.model import build_model  # noqa: E402
from helpers.precision import choose_precision  # noqa: E402
from benchmarks.limits import matmul_rate  # noqa: E402

VOCAB_SIZE, EMBEDDING_DIM, RNN_UNITS, BATCH_SIZE, SEQ_LENGTH = 65, 256, 1024, 64, 100
TARGET = 0.85  # the share of the roofline a training step should reach
STEPS = 12  # batches per timed fit call: enough that one call's set-up is a small part of it


def pipeline(steps: int) -> tf.data.Dataset:
    """``steps`` batches of random ids, split into input and target as notebook 02 does."""
    ids = np.random.default_rng(0).integers(0, VOCAB_SIZE, (steps * BATCH_SIZE, SEQ_LENGTH + 1)).astype("int32")
    return prefetched(tf.data.Dataset.from_tensor_slices(ids).map(lambda s: (s[:-1], s[1:]))
                  .batch(BATCH_SIZE, drop_remainder=True))  # prefetched as notebook 04's pipeline is


def compiled_model(gru_impl: str, weights: list | None = None, precision: str = "float32") -> keras.Model:
    model = build_model(VOCAB_SIZE, EMBEDDING_DIM, RNN_UNITS, gru_impl=gru_impl, precision=precision)
    if weights is not None:
        model.set_weights(weights)
    model.compile(optimizer=keras.optimizers.Adam(), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


class StepClock(keras.callbacks.Callback):
    """When a fit call's first batch began and its last batch ended."""

    def on_train_batch_begin(self, batch, logs=None):
        if batch == 0:
            self.first = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.last = time.perf_counter()


def seconds_per_step(model: keras.Model, data: tf.data.Dataset, steps: int) -> tuple[float, float]:
    """Seconds per step from the first batch's start to the last's end, and the call's other seconds."""
    clock, start = StepClock(), time.perf_counter()
    model.fit(data, epochs=1, verbose=0, shuffle=False, callbacks=[clock])  # the pipeline is already in its order
    whole = time.perf_counter() - start
    return (clock.last - clock.first) / steps, whole - (clock.last - clock.first)


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
    """Seconds per step of each GRU (median, min, max), as a share of the roofline of its precision, against
    Keras's GRU; FusedGRU under mixed_bfloat16 (where the CPU has it) also against FusedGRU in float32."""
    repeats = 3 if quick else 5
    keras.utils.set_random_seed(0)
    data = pipeline(STEPS)
    baseline = compiled_model("keras")
    models = {"Keras GRU (baseline)": baseline, "FusedGRU": compiled_model("fused", baseline.get_weights())}
    if choose_precision("auto")[0] == "mixed_bfloat16":
        models["FusedGRU, mixed_bfloat16"] = compiled_model("fused", baseline.get_weights(), "mixed_bfloat16")
    for model in models.values():  # warm up: traces the training function, fills the pipeline, allocates
        seconds_per_step(model, data, STEPS)
    times, setup = {name: [] for name in models}, {name: [] for name in models}
    for _ in range(repeats):  # interleaved, so background load hits both alike
        for name, model in models.items():
            step, rest = seconds_per_step(model, data, STEPS)
            times[name].append(step)
            setup[name].append(rest)
    limits = {"float32": roofline()}
    if len(models) > 2:
        limits["bfloat16"] = roofline(tf.bfloat16)
    median = {name: statistics.median(t) for name, t in times.items()}
    base = median["Keras GRU (baseline)"]
    rows = []
    for name, t in times.items():
        limit = limits["bfloat16" if "bfloat16" in name else "float32"]
        row = dict(name=f"training step, {name}", value=median[name], unit="s/step", spread=[min(t), max(t)],
                   limit=limit["seconds"], fraction=limit["seconds"] / median[name],
                   target=None if name.startswith("Keras") else TARGET, baseline=base, ratio=base / median[name],
                   steps_per_call=STEPS, repeats=repeats, setup_seconds=setup[name])
        if "bfloat16" in name:
            row["float32_ratio"] = median["FusedGRU"] / median[name]
            row["note"] = f"{row['float32_ratio']:.2f}x FusedGRU in float32, in the same run"
        rows.append(row)
    for precision, limit in limits.items():
        rows.append(dict(name=f"training step roofline ({precision})", value=limit["seconds"], unit="s/step",
                         recurrent_gflop=limit["recurrent_gflop"], batched_gflop=limit["batched_gflop"],
                         products=limit["products"]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 5")
    from benchmarks.run import print_table  # the table `make bench` prints

    print_table(figures(parser.parse_args().quick))


if __name__ == "__main__":
    main()
