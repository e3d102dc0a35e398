"""`make bench`: training and generation speed, each against this machine's limit and against the old way.

    .venv/bin/python -m benchmarks.run [--full]

Every case runs the tutorial's model, untrained, after a warm-up, the cases interleaved so that background load hits
them alike; a figure is the median of the repeats, read against the limit measured in the same run and against
its baseline (docs/speed.md says how). It writes records/bench.json.
"""

from __future__ import annotations

import argparse
import statistics
import time
from functools import partial

import helpers

helpers.quiet_tensorflow()  # before anything imports TensorFlow: no start-up notices in the output
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from benchmarks.limits import generation_bound, products, roofline  # noqa: E402
from helpers.data import PROJECT_ROOT  # noqa: E402
from helpers.dataset import prefetched, split_input_target  # noqa: E402
from helpers.generation import generate  # noqa: E402
from helpers.model import build_model  # noqa: E402
from helpers.precision import choose_precision  # noqa: E402
from helpers.vocab import Vocab  # noqa: E402
from scripts import records  # noqa: E402
from scripts.readme_figures import bench_record_table  # noqa: E402

VOCAB = Vocab([chr(c) for c in range(32, 97)])  # 65 characters, like the corpus
EMBEDDING_DIM, RNN_UNITS, BATCH_SIZE, SEQ_LENGTH = 256, 1024, 64, 100  # the tutorial's
STEPS = 12  # batches per timed fit call: enough that one call's set-up is a small part of it
NUM_CHARS = 1000  # per prompt
EAGER_CHARS = 250  # each of the eager loop's steps is the same call: its rate does not depend on the length, and it is slow
PROMPTS = [f"{name}: " for name in ("ROMEO", "JULIET", "KING RICHARD III", "FIRST CITIZEN")] * (BATCH_SIZE // 4)


def interleaved(cases: dict, repeats: int) -> dict:
    """Seconds of each of ``repeats`` calls of each case, after a warm-up call of each (traces, compiles, fills caches)."""
    for call in cases.values():
        call()
    seconds = {name: [] for name in cases}
    for _ in range(repeats):
        for name, call in cases.items():
            start = time.perf_counter()
            call()
            seconds[name].append(time.perf_counter() - start)
    return seconds


def eager_generate(model, start_string: str, num_chars: int) -> str:
    """The tutorial's loop: one eager model call and one tf.random.categorical per character, the state carried."""
    logits, states = model(VOCAB.encode(start_string)[None, :], return_state=True)
    out = []
    for _ in range(num_chars):
        next_id = tf.random.categorical(logits[:, -1, :], num_samples=1)
        out.append(int(next_id[0, 0]))
        logits, states = model(next_id, states=states, return_state=True)
    return start_string + VOCAB.decode(out)


def generation(repeats: int) -> list[dict]:
    """Characters per second of ``generate`` for one prompt and for 64, as a share of the generation bound, against
    the tutorial's eager loop with its layer (keras.layers.GRU) and the same weights; and the first call's seconds."""
    keras.utils.set_random_seed(0)
    model = build_model(len(VOCAB), EMBEDDING_DIM, RNN_UNITS)  # the project's default GRU
    tutorial = build_model(len(VOCAB), EMBEDDING_DIM, RNN_UNITS, gru_impl="keras")
    tutorial.set_weights(model.get_weights())
    start = time.perf_counter()
    generate(model, VOCAB, PROMPTS[0], NUM_CHARS, seed=0)  # traces the loop and compiles it for one prompt
    first_call = time.perf_counter() - start
    seconds = interleaved({"eager": partial(eager_generate, tutorial, PROMPTS[0], EAGER_CHARS),
                           1: partial(generate, model, VOCAB, PROMPTS[0], NUM_CHARS, seed=0),
                           len(PROMPTS): partial(generate, model, VOCAB, PROMPTS, NUM_CHARS, seed=0)}, repeats)
    eager = [EAGER_CHARS / s for s in seconds.pop("eager")]
    base = statistics.median(eager)
    rows = [dict(name="generate: eager loop, 1 prompt (the tutorial's, Keras GRU)", value=base, unit="chars/s",
                 spread=[min(eager), max(eager)]),
            dict(name="generate: first call, 1 prompt (trace + XLA compile)", value=first_call, unit="s")]
    for prompts, target in ((1, 0.85), (len(PROMPTS), 0.90)):
        rate = [prompts * NUM_CHARS / s for s in seconds[prompts]]
        value, bound = statistics.median(rate), generation_bound(prompts, len(VOCAB), EMBEDDING_DIM, RNN_UNITS)
        rows.append(dict(name=f"generate: {prompts} prompt{'s' if prompts > 1 else ''}", value=value, unit="chars/s",
                         spread=[min(rate), max(rate)], limit=bound, fraction=value / bound, target=target,
                         baseline=base, ratio=value / base))
    return rows


def pipeline() -> tf.data.Dataset:
    """STEPS batches of random ids (no corpus needed), split and prefetched as notebooks 02 and 04 do."""
    ids = np.random.default_rng(0).integers(0, len(VOCAB), (STEPS * BATCH_SIZE, SEQ_LENGTH + 1)).astype("int32")
    return prefetched(tf.data.Dataset.from_tensor_slices(ids).map(split_input_target).batch(BATCH_SIZE, drop_remainder=True))


def compiled_model(gru_impl: str, weights: list | None = None, precision: str = "float32") -> keras.Model:
    """The tutorial's model, compiled the tutorial's way (Adam, cross-entropy on logits)."""
    model = build_model(len(VOCAB), EMBEDDING_DIM, RNN_UNITS, gru_impl=gru_impl, precision=precision)
    if weights is not None:
        model.set_weights(weights)
    model.compile(optimizer=keras.optimizers.Adam(), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def training(repeats: int) -> list[dict]:
    """Seconds per step of Keras's GRU and FusedGRU (and FusedGRU under mixed_bfloat16 where the processor has
    bfloat16), each a fit call over ``pipeline()`` divided by STEPS, as a share of the roofline at its precision and
    against Keras's GRU; then the rooflines, and the rate of the recurrent product, which bounds the time loop."""
    keras.utils.set_random_seed(0)
    data, baseline = pipeline(), compiled_model("keras")
    models = {"Keras GRU (baseline)": baseline, "FusedGRU": compiled_model("fused", baseline.get_weights())}
    if choose_precision("auto")[0] == "mixed_bfloat16":
        models["FusedGRU, mixed_bfloat16"] = compiled_model("fused", baseline.get_weights(), "mixed_bfloat16")
    seconds = interleaved({name: partial(model.fit, data, verbose=0, shuffle=False) for name, model in models.items()}, repeats)
    step = products(BATCH_SIZE, SEQ_LENGTH, RNN_UNITS, EMBEDDING_DIM, len(VOCAB))
    limits = {"float32": roofline(step)} | ({"bfloat16": roofline(step, tf.bfloat16)} if len(models) > 2 else {})
    base = statistics.median(seconds["Keras GRU (baseline)"]) / STEPS
    rows = []
    for name, calls in seconds.items():
        times = [s / STEPS for s in calls]
        value, limit = statistics.median(times), limits["bfloat16" if "bfloat16" in name else "float32"]["seconds"]
        rows.append(dict(name=f"training step, {name}", value=value, unit="s/step", spread=[min(times), max(times)],
                         limit=limit, fraction=limit / value, target=None if name == "Keras GRU (baseline)" else 0.85,
                         baseline=base, ratio=base / value))
    rows += [dict(name=f"training step roofline ({precision})", value=limit["seconds"], unit="s/step", products=limit["products"],
                  recurrent_gflop=limit["recurrent_gflop"], batched_gflop=limit["batched_gflop"]) for precision, limit in limits.items()]
    rate = limits["float32"]["products"]["recurrent forward (state @ kernel)"]["gflop_per_s"]
    name = f"matmul ({BATCH_SIZE}x{RNN_UNITS} @ {RNN_UNITS}x{3 * RNN_UNITS}, float32, compiled chain)"
    return rows + [dict(name=name, value=rate, unit="GFLOP/s")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="5 repeats of each case instead of 3")
    full = parser.parse_args().full
    figures, started = [], time.perf_counter()  # the record holds the whole bench's time
    with records.Measurement() as measured:
        for bench in (generation, training):
            print(f"{bench.__name__}...", flush=True)
            figures += bench(5 if full else 3)
    versions = {name: measured.machine[name] for name in ("python", "tensorflow", "keras")} | {"numpy": np.__version__}
    path = records.write("bench", {"command": "make bench" + (" FULL=1" if full else ""), "versions": versions,
                                   "seconds": round(time.perf_counter() - started, 1), "figures": figures},
                         measured)
    print(bench_record_table(records.read("bench")))
    print(f"written: {path.relative_to(PROJECT_ROOT)}")


if __name__ == "__main__":
    main()
