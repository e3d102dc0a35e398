"""The model: Embedding -> RNN layer(s) -> Dense logits over the vocabulary."""

from __future__ import annotations

import keras
import tensorflow as tf

from helpers.distribute import on_tpu
from helpers.gru import FusedGRU
from helpers.params import check_value
from helpers.precision import gpus

RNN_TYPES = {"gru": keras.layers.GRU, "lstm": keras.layers.LSTM}
GRU_IMPLS = {"fused": FusedGRU, "keras": keras.layers.GRU}


def choose_gru_impl(gru_impl: str = "auto") -> str:
    """The GRU to build, "fused" or "keras"; "auto" is Keras's on a GPU (cuDNN) or a TPU, else ours.

    The fused layer's hand-written backward pass is tuned for a CPU; on a TPU, XLA compiles Keras's GRU as it is.
    CharRNN keeps Keras's defaults for every setting cuDNN depends on (tanh, sigmoid, reset_after, no recurrent dropout).
    """
    check_value("GRU_IMPL", gru_impl)
    if gru_impl == "auto":
        gru_impl = "keras" if on_tpu() or gpus() else "fused"
    return gru_impl


class Unsaved:
    """What a CharRNN holds besides its weights. A plain object: Keras and TensorFlow track the layers and
    variables of a model's lists and modules into its checkpoints and exports, and look no further."""

    def __init__(self):
        self.carried: list[list[tf.Variable]] | None = None  # the state training carries from batch to batch
        self.traced: dict[str, object] = {}  # functions traced for this model, by name


@keras.saving.register_keras_serializable(package="helpers")
class CharRNN(keras.Model):
    """A character model: ``model(ids)`` gives logits from a zero state; ``model(ids, states=s, return_state=True)``
    continues from ``s`` (one list per RNN layer: [h] for a GRU, [h, c] for an LSTM) and returns ``(logits, states)``.

    Neither ``gru_impl`` nor ``precision`` is part of ``config``: the weights are the same (float32) under each,
    so checkpoints load into any of them.
    """

    def __init__(self, vocab_size: int, embedding_dim: int = 256, rnn_units: int = 1024,
                 rnn_type: str = "gru", num_layers: int = 1, dropout: float = 0.0, gru_impl: str = "auto",
                 precision: str = "float32", **kwargs):
        super().__init__(**{"dtype": precision, **kwargs})  # a saved model's own dtype wins
        precision = self.dtype_policy.name
        for name, value in (("RNN_TYPE", rnn_type), ("EMBEDDING_DIM", embedding_dim), ("RNN_UNITS", rnn_units),
                            ("NUM_LAYERS", num_layers), ("DROPOUT", dropout)):
            check_value(name, value)
        gru_impl = choose_gru_impl(gru_impl)  # checked for an LSTM too: a wrong value is wrong anywhere
        self.gru_impl = gru_impl if rnn_type == "gru" else None
        self.config = dict(vocab_size=vocab_size, embedding_dim=embedding_dim, rnn_units=rnn_units,
                           rnn_type=rnn_type, num_layers=num_layers, dropout=dropout)
        self.embedding = keras.layers.Embedding(vocab_size, embedding_dim, dtype=precision, name="embedding")
        rnn_class = GRU_IMPLS[self.gru_impl] if rnn_type == "gru" else RNN_TYPES[rnn_type]
        self.rnns = [
            rnn_class(rnn_units, return_sequences=True, return_state=True,
                      dropout=dropout, dtype=precision, name=f"{rnn_type}_{i}" if num_layers > 1 else rnn_type)
            for i in range(num_layers)
        ]
        # DROPOUT acts on the connections between layers, never on the recurrence (Zaremba et al.,
        # 2014): each RNN's inputs above, and here the last RNN's output. A layer only when used,
        # so checkpoints of models without dropout keep their layout.
        self.output_dropout = keras.layers.Dropout(dropout, dtype=precision, name="output_dropout") if dropout else None
        self.dense = keras.layers.Dense(vocab_size, dtype=precision, name="dense")
        self.unsaved = Unsaved()

    def carry_state(self, batch_size: int) -> None:
        """From now on, a training batch given no ``states`` starts from the state the previous one ended in
        (zeros at first, and after ``reset_carried_state``); evaluation and generation never use it."""
        per_layer = 2 if self.config["rnn_type"] == "lstm" else 1  # an LSTM's state is [h, c]
        zeros = tf.zeros((batch_size, self.config["rnn_units"]))
        self.unsaved.carried = [[tf.Variable(zeros, trainable=False) for _ in range(per_layer)] for _ in self.rnns]

    def reset_carried_state(self) -> None:
        for layer in self.unsaved.carried or []:
            for variable in layer:
                variable.assign(tf.zeros_like(variable))

    def traced_once(self, name: str, make):
        """``make()``, called the first time ``name`` is asked for and kept: a function traced for this model once."""
        if name not in self.unsaved.traced:
            self.unsaved.traced[name] = make()
        return self.unsaved.traced[name]

    def call(self, inputs, states=None, return_state=False, training=False):
        carried = self.unsaved.carried if training and states is None else None
        if carried:
            states = carried
        if states is not None:  # a state in another dtype (zeros in float32, say) is cast to the layers' own
            states = [[keras.ops.cast(s, self.compute_dtype) for s in layer] for layer in states]
        x = self.embedding(inputs, training=training)
        new_states = []
        for i, rnn in enumerate(self.rnns):
            x, *state = rnn(x, initial_state=None if states is None else states[i], training=training)
            new_states.append(state)
        for layer, state in zip(carried or [], new_states):
            for variable, value in zip(layer, state):  # the next batch starts here; no gradient flows back into it
                variable.assign(tf.stop_gradient(tf.cast(value, variable.dtype)))
        if self.output_dropout is not None:
            x = self.output_dropout(x, training=training)
        logits = keras.ops.cast(self.dense(x, training=training), "float32")  # the loss in float32, whatever the policy
        return (logits, new_states) if return_state else logits

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.config["vocab_size"])

    def get_config(self):
        return {**super().get_config(), **self.config}


def build_model(vocab_size: int, embedding_dim: int = 256, rnn_units: int = 1024, rnn_type: str = "gru",
                num_layers: int = 1, dropout: float = 0.0, gru_impl: str = "auto",
                precision: str = "float32") -> CharRNN:
    """A built CharRNN (its weights exist, so it can be summarised or loaded into)."""
    model = CharRNN(vocab_size, embedding_dim, rnn_units, rnn_type, num_layers, dropout, gru_impl, precision)
    model(keras.Input(shape=(None,), dtype="int32"))
    return model
