"""This machine's limit for the model's arithmetic, measured in the same run as the figures read against it.

Each matrix product's rate is measured as a chain of that product alone. A training step's roofline is the
sum of its products' FLOPs over their rates; a generation step's bound is its three products alone.
"""

from __future__ import annotations

import time

import tensorflow as tf


def matmul_rate(m: int, k: int, n: int, dtype=tf.float32, seconds: float = 0.5, xla: bool = False) -> float:
    """FLOP/s of a chain of (m, k) @ (k, n) products, each depending on the one before, in a TensorFlow graph (as
    training runs) or with ``xla`` in a loop compiled by XLA (as generation runs)."""
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


def products(batch_size: int, seq_length: int, rnn_units: int, embedding_dim: int, vocab_size: int) -> dict:
    """A training step's matrix products, as FusedGRU does them: name -> ((m, k, n) of one product, how many run in a
    step). The recurrent ones run one time step after another; the others take all the step's positions at once."""
    positions, gates = batch_size * seq_length, 3 * rnn_units
    return {
        "recurrent forward (state @ kernel)": ((batch_size, rnn_units, gates), seq_length),
        "recurrent backward (gradient @ kernel.T)": ((batch_size, gates, rnn_units), seq_length),
        "input projection": ((positions, embedding_dim, gates), 1),
        "input projection, gradient of its input": ((positions, gates, embedding_dim), 1),
        "input projection, gradient of its kernel": ((embedding_dim, positions, gates), 1),
        "recurrent kernel, gradient": ((rnn_units, positions, gates), 1),
        "dense layer": ((positions, rnn_units, vocab_size), 1),
        "dense layer, gradient of its input": ((positions, vocab_size, rnn_units), 1),
        "dense layer, gradient of its kernel": ((rnn_units, positions, vocab_size), 1),
    }


def roofline(step: dict, dtype=tf.float32) -> dict:
    """Seconds a training step would take if it were nothing but its ``products``, each at its measured rate."""
    parts = {name: {"shape": list(shape), "count": count, "gflop": count * 2 * shape[0] * shape[1] * shape[2] / 1e9,
                    "gflop_per_s": matmul_rate(*shape, dtype) / 1e9} for name, (shape, count) in step.items()}
    recurrent = sum(p["gflop"] for p in parts.values() if p["count"] > 1)
    return {"seconds": sum(p["gflop"] / p["gflop_per_s"] for p in parts.values()), "recurrent_gflop": recurrent,
            "batched_gflop": sum(p["gflop"] for p in parts.values()) - recurrent, "products": parts}


def generation_bound(batch: int, vocab_size: int, embedding_dim: int, rnn_units: int) -> float:
    """Characters per second if a generation step were only its three products (input, state, logits) for
    ``batch`` prompts, each at the faster of a graph chain and an XLA loop: for one prompt the graph's cost per
    operation outweighs a matrix-vector product, and the generator runs under XLA without it."""
    gates = 3 * rnn_units
    shapes = [(batch, embedding_dim, gates), (batch, rnn_units, gates), (batch, rnn_units, vocab_size)]
    seconds = sum(2 * m * k * n / max(matmul_rate(m, k, n), matmul_rate(m, k, n, xla=True)) for m, k, n in shapes)
    return batch / seconds
