"""Generation speed: our compiled sampling loop against this machine's limit and the tutorial's eager loop.

    .venv/bin/python -m benchmarks.bench_generate [--quick]

The baseline is the original tutorial's method, rewritten for Keras 3: one
eager model call and one tf.random.categorical per character, the RNN state
carried from call to call, with the tutorial's layer (keras.layers.GRU).
``generate`` runs the project's default model. Both are the same untrained
4,021,569-parameter model with the same weights; every case runs in this
process, interleaved, for 1,000 characters per prompt, but the eager loop
for 250: each of its steps is the same eager call, so its rate does not
depend on the length, and it is by far the slowest case to time.

The limit, measured in the same run (limits.generation_bound): the characters
per second this machine could give if a generation step were nothing but its
three matrix products (input projection, recurrent step, logits), each run as a
chain of that product alone at the shape it has for 64 prompts, or for one
(where they are matrix-vector products), in a TensorFlow graph and in a loop
compiled by XLA, whichever is faster. (For one prompt the graph's per-operation
cost outweighs a matrix-vector product; the generator runs under XLA without it.)
"""

from __future__ import annotations

import argparse
import statistics
import time

import helpers

helpers.quiet_tensorflow()
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from helpers.generation import generate  # noqa: E402
from helpers.model import build_model  # noqa: E402
from helpers.vocab import Vocab  # noqa: E402
from benchmarks.limits import generation_bound, matmul_rate  # noqa: E402

VOCAB = Vocab([chr(c) for c in range(32, 97)])  # 65 characters, like the corpus
EMBEDDING_DIM, RNN_UNITS, NUM_CHARS, EAGER_CHARS, BATCH = 256, 1024, 1000, 250, 64
PROMPTS = [f"{name}: " for name in ("ROMEO", "JULIET", "KING RICHARD III", "FIRST CITIZEN")] * (BATCH // 4)


def eager_generate(model, vocab: Vocab, start_string: str, num_chars: int, seed: int) -> str:
    """The tutorial's loop: one eager model call and one tf.random.categorical per character."""
    tf.random.set_seed(seed)
    logits, states = model(vocab.encode(start_string)[None, :], return_state=True)
    out = []
    for _ in range(num_chars):
        next_id = tf.random.categorical(logits[:, -1, :], num_samples=1)
        out.append(int(next_id[0, 0]))
        logits, states = model(next_id, states=states, return_state=True)
    return start_string + vocab.decode(out)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def figures(quick: bool = False) -> list[dict]:
    """Characters per second of each case (median of interleaved repeats, with the spread), as a share of the
    machine's limit, and against the tutorial's eager loop."""
    keras.utils.set_random_seed(0)
    model = build_model(len(VOCAB), EMBEDDING_DIM, RNN_UNITS)  # the project's default GRU
    tutorial = build_model(len(VOCAB), EMBEDDING_DIM, RNN_UNITS, gru_impl="keras")  # the tutorial's: Keras's GRU
    tutorial.set_weights(model.get_weights())
    cases = {  # name: (function, characters it makes)
        "eager": (lambda: eager_generate(tutorial, VOCAB, PROMPTS[0], EAGER_CHARS, 0), EAGER_CHARS),
        "one": (lambda: generate(model, VOCAB, PROMPTS[0], NUM_CHARS, seed=0), NUM_CHARS),
        "batch": (lambda: generate(model, VOCAB, PROMPTS, NUM_CHARS, seed=0), BATCH * NUM_CHARS),
    }
    first_call = timed(cases["one"][0])  # traces the loop and compiles it for one prompt
    eager_generate(tutorial, VOCAB, PROMPTS[0], 20, 0)
    for fn, _ in cases.values():  # warm up: the batch shape, kernels, caches
        fn()
    seconds = {name: [] for name in cases}
    for _ in range(3 if quick else 5):  # interleaved, so background load hits every case alike
        for name, (fn, _) in cases.items():
            seconds[name].append(timed(fn))
    rate = {name: amount / statistics.median(seconds[name]) for name, (_, amount) in cases.items()}
    spread = {name: [amount / max(seconds[name]), amount / min(seconds[name])] for name, (_, amount) in cases.items()}
    bound = {"one": generation_bound(1, len(VOCAB), EMBEDDING_DIM, RNN_UNITS),
             "batch": generation_bound(BATCH, len(VOCAB), EMBEDDING_DIM, RNN_UNITS)}
    step_rate = matmul_rate(BATCH, RNN_UNITS, 3 * RNN_UNITS)

    def figure(name, case, target):
        return dict(name=name, value=rate[case], unit="chars/s", spread=spread[case], limit=bound[case],
                    fraction=rate[case] / bound[case], target=target, baseline=rate["eager"], ratio=rate[case] / rate["eager"])

    return [
        dict(name="generate: eager loop, 1 prompt (the tutorial's, Keras GRU)", value=rate["eager"], unit="chars/s",
             spread=spread["eager"]),
        dict(name="generate: first call, 1 prompt (trace + XLA compile)", value=first_call, unit="s"),
        figure("generate: 1 prompt", "one", 0.85),
        figure(f"generate: {BATCH} prompts", "batch", 0.90),
        dict(name=f"matmul ({BATCH}x{RNN_UNITS} @ {RNN_UNITS}x{3 * RNN_UNITS}, float32, compiled chain)",
             value=step_rate / 1e9, unit="GFLOP/s"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one timed repeat instead of three")
    from benchmarks.run import print_table  # the table `make bench` prints

    print_table(figures(parser.parse_args().quick))


if __name__ == "__main__":
    main()
