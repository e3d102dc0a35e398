"""This machine's limit for the model's arithmetic: how fast a matrix product of a given shape runs,
measured as a compiled chain of that product alone; and from it, the fastest a generation step could go."""

from __future__ import annotations

import time

import helpers

helpers.quiet_tensorflow()
import tensorflow as tf  # noqa: E402


def matmul_rate(m: int, k: int, n: int, dtype=tf.float32, seconds: float = 0.5) -> float:
    """FLOP/s of a compiled chain of (m, k) @ (k, n) products, each depending on the one before."""
    a = tf.cast(tf.random.normal([m, k]), dtype)
    b = tf.cast(tf.random.normal([k, n]) / k ** 0.5, dtype)
    length = max(1, min(1000, int(2e9 / (2 * m * k * n))))  # about 2 GFLOP per call, at most 1,000 products

    @tf.function
    def chain(a):
        for _ in range(length):
            c = tf.linalg.matmul(a, b)
            a = a + tf.cast(c[:1, :1], dtype) * 0  # a dependency, so the products run one after another
        return c

    chain(a).numpy()  # traces
    calls, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds or calls < 3:
        chain(a).numpy()
        calls += 1
    return calls * length * 2 * m * k * n / (time.perf_counter() - start)


def generation_bound(batch: int, vocab_size: int, embedding_dim: int, rnn_units: int) -> float:
    """Characters per second if a generation step were only its three products (input, state, logits),
    each at its measured rate for ``batch`` prompts."""
    gates = 3 * rnn_units
    shapes = [(batch, embedding_dim, gates), (batch, rnn_units, gates), (batch, rnn_units, vocab_size)]
    seconds = sum(2 * m * k * n / matmul_rate(m, k, n) for m, k, n in shapes)
    return batch / seconds
