"""Generation speed: our compiled sampling loop against the tutorial's eager loop and the machine's matmul rate.

    .venv/bin/python benchmarks/bench_generate.py [--quick]

The baseline is the original tutorial's method, rewritten for Keras 3: one
eager model call and one tf.random.categorical per character, the RNN state
carried from call to call, with the tutorial's layer (keras.layers.GRU).
``generate`` runs the project's default model. Both are the same untrained
4,021,569-parameter model with the same weights; every case runs in this
process, interleaved, for 1,000 characters per prompt.

The ceiling is a float32 matmul the size of the GRU's recurrent step for 64
sequences, (64, 1024) @ (1024, 3072): its rate divided by the FLOPs one
character costs says how many characters per second this machine could give
if generation were nothing but arithmetic.
"""

from __future__ import annotations

import argparse
import statistics
import time

import helpers  # noqa: F401  (quiet TensorFlow import first)
import keras
import tensorflow as tf

from helpers.generation import generate
from helpers.model import build_model
from helpers.vocab import Vocab

VOCAB = Vocab([chr(c) for c in range(32, 97)])  # 65 characters, like the corpus
EMBEDDING_DIM, RNN_UNITS, NUM_CHARS, BATCH = 256, 1024, 1000, 64
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


def flops_per_char(vocab_size: int, embedding_dim: int, rnn_units: int) -> int:
    """Multiply-adds (x2) of one GRU step and its logits, for one sequence: the embedding lookup is free."""
    gates = 3 * rnn_units
    return 2 * rnn_units * gates + 2 * embedding_dim * gates + 2 * rnn_units * vocab_size


def matmul(a, b, times: int = 50) -> None:
    """``times`` float32 matmuls ``a @ b``."""
    for _ in range(times):
        c = tf.linalg.matmul(a, b)
    c.numpy()


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def figures(quick: bool = False) -> list[dict]:
    """Characters per second of each case, median of interleaved repeats, with their ratios."""
    keras.utils.set_random_seed(0)
    model = build_model(len(VOCAB), EMBEDDING_DIM, RNN_UNITS)  # the project's default GRU
    tutorial = build_model(len(VOCAB), EMBEDDING_DIM, RNN_UNITS, gru_impl="keras")  # the tutorial's: Keras's GRU
    tutorial.set_weights(model.get_weights())
    a, b = tf.random.normal([BATCH, RNN_UNITS]), tf.random.normal([RNN_UNITS, 3 * RNN_UNITS])  # one GRU step's size
    cases = {  # name: (function, characters it makes)
        "eager": (lambda: eager_generate(tutorial, VOCAB, PROMPTS[0], NUM_CHARS, 0), NUM_CHARS),
        "one": (lambda: generate(model, VOCAB, PROMPTS[0], NUM_CHARS, seed=0), NUM_CHARS),
        "batch": (lambda: generate(model, VOCAB, PROMPTS, NUM_CHARS, seed=0), BATCH * NUM_CHARS),
        "matmul": (lambda: matmul(a, b), 50 * 2 * BATCH * RNN_UNITS * 3 * RNN_UNITS),  # its FLOPs
    }
    first_call = timed(cases["one"][0])  # traces the loop and compiles it for one prompt
    eager_generate(tutorial, VOCAB, PROMPTS[0], 20, 0)
    for fn, _ in cases.values():  # warm up: the batch shape, kernels, caches
        fn()
    seconds = {name: [] for name in cases}
    for _ in range(1 if quick else 3):  # interleaved, so background load hits every case alike
        for name, (fn, _) in cases.items():
            seconds[name].append(timed(fn))
    rate = {name: amount / statistics.median(seconds[name]) for name, (_, amount) in cases.items()}
    bound = rate["matmul"] / flops_per_char(len(VOCAB), EMBEDDING_DIM, RNN_UNITS)

    def figure(name, value, unit, baseline=None, target=None):
        ratio = value / baseline if baseline else None
        return dict(name=name, value=value, unit=unit, baseline=baseline, ratio=ratio, target=target)

    return [
        figure("generate: eager loop, 1 prompt (the tutorial's, Keras GRU)", rate["eager"], "chars/s"),
        figure("generate: first call, 1 prompt (trace + XLA compile)", first_call, "s"),
        figure("generate: 1 prompt, vs eager loop", rate["one"], "chars/s", rate["eager"], 60),
        figure(f"generate: {BATCH} prompts, vs eager loop", rate["batch"], "chars/s", rate["eager"], 220),
        figure(f"generate: {BATCH} prompts, vs matmul rate", rate["batch"], "chars/s", bound, 0.85),
        figure(f"matmul ({BATCH}x{RNN_UNITS} @ {RNN_UNITS}x{3 * RNN_UNITS}, float32)", rate["matmul"] / 1e9, "GFLOP/s"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one timed repeat instead of three")
    from run import print_table  # the table `make bench` prints

    print_table(figures(parser.parse_args().quick))


if __name__ == "__main__":
    main()
