"""This machine's limit for the model's arithmetic: how fast a matrix product of a given shape runs,
measured as a compiled chain of that product alone; and from it, the fastest a generation step could go."""

from __future__ import annotations

import time

import helpers

helpers.quiet_tensorflow()
import tensorflow as tf  # noqa: E402


def matmul_rate(m: int, k: int, n: int, dtype=tf.float32, seconds: float = 0.5) -> float:
    """FLOP/s of a compiled chain of (m, k) @ (k, n) products, each depending on the one before.

    The chain goes there and back, (m, k) @ (k, n) then (m, n) @ (n, k), so that each product takes
    the last one's output as it is: no other operation sits between them, which for one prompt
    (m = 1) would cost as much as a product.
    """
    a = tf.cast(tf.random.normal([m, k]), dtype)
    there = tf.cast(tf.random.normal([k, n]) / k ** 0.5, dtype)  # scaled so the values neither grow nor vanish
    back = tf.cast(tf.random.normal([n, k]) / n ** 0.5, dtype)
    pairs = max(1, min(500, int(2e9 / (4 * m * k * n))))  # about 2 GFLOP per call, at most 1,000 products

    @tf.function
    def chain(a):
        for _ in range(pairs):
            a = tf.linalg.matmul(tf.linalg.matmul(a, there), back)
        return a

    chain(a).numpy()  # traces
    calls, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds or calls < 3:
        chain(a).numpy()
        calls += 1
    return calls * pairs * 2 * 2 * m * k * n / (time.perf_counter() - start)


def generation_bound(batch: int, vocab_size: int, embedding_dim: int, rnn_units: int) -> float:
    """Characters per second if a generation step were only its three products (input, state, logits),
    each at its measured rate for ``batch`` prompts."""
    gates = 3 * rnn_units
    shapes = [(batch, embedding_dim, gates), (batch, rnn_units, gates), (batch, rnn_units, vocab_size)]
    seconds = sum(2 * m * k * n / matmul_rate(m, k, n) for m, k, n in shapes)
    return batch / seconds
