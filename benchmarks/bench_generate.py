"""Generation speed: our compiled one-step sampler against the tutorial's eager loop.

    .venv/bin/python benchmarks/bench_generate.py [--chars 300] [--repeats 3]

The baseline is the original tutorial's method, rewritten for Keras 3: one
eager model call and one tf.random.categorical per character, the RNN state
carried from call to call. Both run in this process on the same untrained
4,021,569-parameter model, interleaved, and each result is a ratio of
characters per second against that baseline.
"""

from __future__ import annotations

import argparse
import statistics
import time

import helpers  # noqa: F401
import keras
import tensorflow as tf

from helpers.generation import generate
from helpers.model import build_model
from helpers.vocab import Vocab

VOCAB = Vocab([chr(c) for c in range(32, 97)])  # 65 characters, like the corpus


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    model = build_model(len(VOCAB), 256, 1024)
    prompts = ["ROMEO: ", "JULIET: ", "KING: ", "QUEEN: "]
    cases = {
        "eager loop, 1 prompt (tutorial)": lambda: eager_generate(model, VOCAB, prompts[0], args.chars, 0),
        "compiled step, 1 prompt": lambda: generate(model, VOCAB, prompts[0], args.chars, seed=0),
        "eager loop, 4 prompts one by one": lambda: [eager_generate(model, VOCAB, p, args.chars, 0) for p in prompts],
        "compiled step, 4 prompts batched": lambda: generate(model, VOCAB, prompts, args.chars, seed=0),
    }
    for fn in cases.values():  # warm up: traces and kernels
        fn()
    times = {name: [] for name in cases}
    for _ in range(args.repeats):  # interleaved, so background load hits every case alike
        for name, fn in cases.items():
            times[name].append(timed(fn))
    median = {name: statistics.median(t) for name, t in times.items()}
    base = median["eager loop, 1 prompt (tutorial)"]
    print(f"{args.chars} characters per prompt, median of {args.repeats}, TensorFlow {tf.__version__}")
    print(f"{'case':36} {'seconds':>8} {'chars/s':>8} {'speed-up':>9}")
    for name, seconds in median.items():
        chars = args.chars * (4 if "4 prompts" in name else 1)
        print(f"{name:36} {seconds:8.2f} {chars / seconds:8.0f} {base / seconds * chars / args.chars:8.1f}x")


if __name__ == "__main__":
    main()
