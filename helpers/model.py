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


def cudnn_conditions_hold(gru: keras.layers.GRU) -> bool:
    """Whether a Keras GRU's settings let it run on cuDNN, per the conditions in its documentation.

    The two conditions not checked here hold for CharRNN: it uses no masks, and it runs
    eagerly at the outermost level as TensorFlow 2 does by default.
    """
    return (gru.activation is keras.activations.tanh and gru.recurrent_activation is keras.activations.sigmoid
            and gru.recurrent_dropout == 0 and not gru.unroll and gru.use_bias and gru.cell.reset_after)


def choose_gru_impl(gru_impl: str = "auto") -> str:
    """The GRU to build, "fused" or "keras"; "auto" is Keras's where it can use cuDNN on a GPU or on a TPU, else ours.

    On a TPU, XLA compiles Keras's GRU as it is; the fused layer's hand-written backward pass is
    tuned for a CPU and gains nothing there.
    """
    check_value("GRU_IMPL", gru_impl)
    if gru_impl == "auto" and on_tpu():
        gru_impl = "keras"
    if gru_impl == "auto":  # CharRNN keeps Keras's defaults for every setting cuDNN depends on
        gru_impl = "keras" if gpus() and cudnn_conditions_hold(keras.layers.GRU(1, name="probe")) else "fused"
    return gru_impl


class Unsaved:
    """What a CharRNN holds besides its weights. A plain object: Keras and TensorFlow track the layers and
    variables of a model's lists and modules into its checkpoints and exports, and look no further."""

    def __init__(self):
        self.carried: list[list[tf.Variable]] | None = None  # the state training carries from batch to batch
        self.traced: dict[str, object] = {}  # functions traced for this model, by name


@keras.saving.register_keras_serializable(package="helpers")
class CharRNN(keras.Model):
    """A stateless character model that can also take and return its RNN state.

    ``model(ids)`` gives logits of shape (batch, time, vocab_size) starting from
    a zero state, so any batch size works. ``model(ids, states=s,
    return_state=True)`` continues from ``s`` and returns ``(logits, states)``;
    ``states`` holds one list per RNN layer ([h] for a GRU, [h, c] for an LSTM).
    ``gru_impl`` picks the GRU's implementation (see ``choose_gru_impl``); both have the
    same weights, so it is not part of ``config``: checkpoints load into either. Nor is
    ``precision``, a Keras dtype policy ("float32", "mixed_bfloat16", "mixed_float16"): the
    weights are float32 under each, and the logits are returned in float32, so the loss is.
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
        """From now on, a training batch of ``batch_size`` rows given no ``states`` starts from the state the
        previous one ended in (zeros at first, and after ``reset_carried_state``). Evaluation and
        generation (``training=False``) never use it, and checkpoints do not hold it."""
        per_layer = 2 if self.config["rnn_type"] == "lstm" else 1  # an LSTM's state is [h, c]
        zeros = tf.zeros((batch_size, self.config["rnn_units"]))
        self.unsaved.carried = [[tf.Variable(zeros, trainable=False) for _ in range(per_layer)] for _ in self.rnns]

    def reset_carried_state(self) -> None:
        for layer in self.unsaved.carried or []:
            for variable in layer:
                variable.assign(tf.zeros_like(variable))

    def traced_once(self, name: str, make):
        """``make()``, called the first time ``name`` is asked for and kept: a function traced for this model
        (its generator, its evaluation step) is traced once, however often it is asked for."""
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
