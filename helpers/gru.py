"""A GRU layer with its backward pass written out by hand, for fast training on a CPU.

``keras.layers.GRU`` runs a small step function per character, forward and backward,
and on a CPU those many small matrix products dominate a training step. ``FusedGRU``
computes the same function with the same weights, but does every product that does not
depend on the previous step as one large matrix product outside the loop. For an input
``x_t``, the previous state ``h``, ``W`` = kernel, ``U`` = recurrent_kernel and the two
bias rows ``b_x``, ``b_h`` (Keras's ``reset_after=True`` convention), each split into
thirds for the gates z, r and the candidate c:

    a = x_t W + b_x              for all time steps at once, before the loop
    m = h U + b_h                the only matrix product inside the loop
    z = sigmoid(a_z + m_z)       update gate: how much of the old state to keep
    r = sigmoid(a_r + m_r)       reset gate: how much of the old state enters the candidate
    c = tanh(a_c + r * m_c)      candidate state
    h_new = z * h + (1 - z) * c

The backward pass applies the chain rule to these lines in reverse order, one step at a
time; the gradients of W, U and the biases sum over every step, so they too are large
products, after the loop. TensorFlow backend only (``tf.custom_gradient``, ``tf.scan``).
"""

from __future__ import annotations

import keras
import tensorflow as tf


@tf.custom_gradient
def gru_sequence(x, h0, kernel, recurrent_kernel, bias):
    """Every state of a GRU run over ``x`` (batch, time, features) from ``h0``: (batch, time, units)."""
    units, n_in = recurrent_kernel.shape[0], tf.shape(x)[2]
    xs = tf.transpose(x, [1, 0, 2])  # time first, so that tf.scan walks over time
    steps, batch = tf.shape(xs)[0], tf.shape(xs)[1]
    a = tf.reshape(tf.reshape(xs, [-1, n_in]) @ kernel + bias[0], [steps, batch, 3 * units])

    def step(previous, a_t):
        h = previous[0]
        m = h @ recurrent_kernel + bias[1]
        z, r = tf.split(tf.sigmoid(a_t[:, :2 * units] + m[:, :2 * units]), 2, axis=1)
        m_c = m[:, 2 * units:]
        c = tf.tanh(a_t[:, 2 * units:] + r * m_c)
        return z * h + (1 - z) * c, z, r, c, m_c  # the gates are kept for the backward pass

    zeros = tf.zeros_like(h0)
    hs, zs, rs, cs, m_cs = tf.scan(step, a, initializer=(h0, zeros, zeros, zeros, zeros))

    def grad(d_hs):
        """Walk back in time with g = dLoss/dh_new (from the output at t and from step t + 1)."""
        def back_step(later, elems):
            d_h_t, z, r, c, m_c, h = elems  # h: the state step t started from
            g = later[0] + d_h_t
            d_ac = g * (1 - z) * (1 - c * c)  # through c = tanh(...) and h_new's (1 - z) * c
            d_az = g * (h - c) * z * (1 - z)  # through z = sigmoid(...)
            d_ar = d_ac * m_c * r * (1 - r)  # through r, which scales m_c
            d_a = tf.concat([d_az, d_ar, d_ac], axis=1)  # gradient of a_t
            d_m = tf.concat([d_az, d_ar, d_ac * r], axis=1)  # gradient of m
            return g * z + d_m @ recurrent_kernel_t, d_a, d_m

        h_prev = tf.concat([h0[None], hs[:-1]], axis=0)
        recurrent_kernel_t = tf.transpose(recurrent_kernel)
        zeros3 = tf.zeros_like(a[0])
        d_h_prev, d_a, d_m = tf.scan(back_step, (tf.transpose(d_hs, [1, 0, 2]), zs, rs, cs, m_cs, h_prev),
                                     initializer=(zeros, zeros3, zeros3), reverse=True)
        # The weight gradients sum over every step and sequence: one large product each.
        d_a, d_m = tf.reshape(d_a, [-1, 3 * units]), tf.reshape(d_m, [-1, 3 * units])
        d_kernel = tf.matmul(tf.reshape(xs, [-1, n_in]), d_a, transpose_a=True)
        d_recurrent_kernel = tf.matmul(tf.reshape(h_prev, [-1, units]), d_m, transpose_a=True)
        d_bias = tf.stack([tf.reduce_sum(d_a, 0), tf.reduce_sum(d_m, 0)])
        d_x = tf.transpose(tf.reshape(d_a @ tf.transpose(kernel), [steps, batch, n_in]), [1, 0, 2])
        return d_x, d_h_prev[0], d_kernel, d_recurrent_kernel, d_bias

    return tf.transpose(hs, [1, 0, 2]), grad


@keras.saving.register_keras_serializable(package="helpers")
class FusedGRU(keras.layers.Layer):
    """``keras.layers.GRU`` (tanh, sigmoid, reset_after=True) computed by ``gru_sequence``. Its weights live in a
    ``GRUCell`` called ``cell``, as Keras's do, so a checkpoint of either layer loads into the other."""

    def __init__(self, units: int, dropout: float = 0.0, seed: int | None = None,
                 return_sequences: bool = False, return_state: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.units, self.return_sequences, self.return_state = units, return_sequences, return_state
        self.cell = keras.layers.GRUCell(units, dropout=dropout, seed=seed, dtype=self.dtype_policy,
                                         name="gru_cell")

    def build(self, sequences_shape, initial_state_shape=None):
        self.cell.build((sequences_shape[0], sequences_shape[-1]))

    def call(self, sequences, initial_state=None, training=False):
        cell = self.cell
        if training and cell.dropout > 0:
            mask = keras.random.dropout(tf.ones_like(sequences[:, 0]), cell.dropout, seed=cell.seed_generator)
            sequences = sequences * mask[:, None, :]
        if initial_state is None:
            h0 = tf.zeros((tf.shape(sequences)[0], self.units), dtype=sequences.dtype)
        else:
            h0 = initial_state[0] if isinstance(initial_state, (list, tuple)) else initial_state
        # Read as tensors: tf.custom_gradient then returns their gradients like any input's.
        weights = [tf.convert_to_tensor(w) for w in (cell.kernel, cell.recurrent_kernel, cell.bias)]
        states = gru_sequence(sequences, h0, *weights)
        output = states if self.return_sequences else states[:, -1]
        return [output, states[:, -1]] if self.return_state else output

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch, steps = sequences_shape[:2]
        output = (batch, steps, self.units) if self.return_sequences else (batch, self.units)
        return (output, (batch, self.units)) if self.return_state else output

    def get_config(self):
        return {**super().get_config(), "units": self.units, "dropout": self.cell.dropout, "seed": self.cell.seed,
                "return_sequences": self.return_sequences, "return_state": self.return_state}


# Keras files a model's layers in a .weights.h5 under their class's name ("layers/gru") and shows
# that name in summaries: ours answers to GRU too, so checkpoints and summaries match keras.layers.GRU's.
FusedGRU.__name__ = FusedGRU.__qualname__ = "GRU"
