"""This machine's limit for the model's arithmetic: how fast a matrix product of a given shape runs,
measured as a chain of that product alone; and from it, the fastest a generation step could go."""

from __future__ import annotations

import time

import helpers

helpers.quiet_tensorflow()
import tensorflow as tf  # noqa: E402


def matmul_rate(m: int, k: int, n: int, dtype=tf.float32, seconds: float = 0.5, xla: bool = False) -> float:
    """FLOP/s of a chain of (m, k) @ (k, n) products, each depending on the one before.

    The chain is a TensorFlow graph (as training runs), or with ``xla`` a loop compiled by XLA (as generation runs).
    """
    a = tf.cast(tf.random.normal([m, k]), dtype)
    b = tf.cast(tf.random.normal([k, n]) / k ** 0.5, dtype)
    length = max(1, min(1000, int(2e9 / (2 * m * k * n))))  # about 2 GFLOP per call, at most 1,000 products

    def product(a):
        c = tf.linalg.matmul(a, b)
        return c, a + tf.cast(c[:1, :1], dtype) * 1e-3  # a dependency, so the products run one after another

    @tf.function
    def graph_chain(a):
        for _ in range(length):
            c, a = product(a)
        return c

    @tf.function(jit_compile=True)
    def xla_chain(a):  # a loop, not {length} copies: XLA compiles a loop body once
        return tf.while_loop(lambda i, a: i < length, lambda i, a: (i + 1, product(a)[1]), (0, a))[1]

    chain = xla_chain if xla else graph_chain
    chain(a).numpy()  # traces (and compiles)
    calls, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds or calls < 3:
        chain(a).numpy()
        calls += 1
    return calls * length * 2 * m * k * n / (time.perf_counter() - start)


def generation_bound(batch: int, vocab_size: int, embedding_dim: int, rnn_units: int) -> float:
    """Characters per second if a generation step were only its three products (input, state, logits),
    each at the faster of its two measured rates (graph or XLA) for ``batch`` prompts."""
    gates = 3 * rnn_units
    shapes = [(batch, embedding_dim, gates), (batch, rnn_units, gates), (batch, rnn_units, vocab_size)]
    seconds = sum(2 * m * k * n / max(matmul_rate(m, k, n), matmul_rate(m, k, n, xla=True)) for m, k, n in shapes)
    return batch / seconds
