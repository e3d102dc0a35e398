"""The model: Embedding -> RNN layer(s) -> Dense logits over the vocabulary."""

from __future__ import annotations

import keras

from helpers.params import ParameterError

RNN_TYPES = {"gru": keras.layers.GRU, "lstm": keras.layers.LSTM}


@keras.saving.register_keras_serializable(package="helpers")
class CharRNN(keras.Model):
    """A stateless character model that can also take and return its RNN state.

    ``model(ids)`` gives logits of shape (batch, time, vocab_size) starting from
    a zero state, so any batch size works. ``model(ids, states=s,
    return_state=True)`` continues from ``s`` and returns ``(logits, states)``;
    ``states`` holds one list per RNN layer ([h] for a GRU, [h, c] for an LSTM).
    """

    def __init__(self, vocab_size: int, embedding_dim: int = 256, rnn_units: int = 1024,
                 rnn_type: str = "gru", num_layers: int = 1, dropout: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        if rnn_type not in RNN_TYPES:
            raise ParameterError(f"RNN_TYPE={rnn_type!r} is not known; use one of {sorted(RNN_TYPES)}.")
        self.config = dict(vocab_size=vocab_size, embedding_dim=embedding_dim, rnn_units=rnn_units,
                           rnn_type=rnn_type, num_layers=num_layers, dropout=dropout)
        self.embedding = keras.layers.Embedding(vocab_size, embedding_dim, name="embedding")
        self.rnns = [
            RNN_TYPES[rnn_type](rnn_units, return_sequences=True, return_state=True,
                                dropout=dropout, name=f"{rnn_type}_{i}" if num_layers > 1 else rnn_type)
            for i in range(num_layers)
        ]
        self.dense = keras.layers.Dense(vocab_size, name="dense")

    def call(self, inputs, states=None, return_state=False, training=False):
        x = self.embedding(inputs, training=training)
        new_states = []
        for i, rnn in enumerate(self.rnns):
            x, *state = rnn(x, initial_state=None if states is None else states[i], training=training)
            new_states.append(state)
        logits = self.dense(x, training=training)
        return (logits, new_states) if return_state else logits

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.config["vocab_size"])

    def get_config(self):
        return {**super().get_config(), **self.config}


def build_model(vocab_size: int, embedding_dim: int = 256, rnn_units: int = 1024, rnn_type: str = "gru",
                num_layers: int = 1, dropout: float = 0.0) -> CharRNN:
    """A built CharRNN (its weights exist, so it can be summarised or loaded into)."""
    model = CharRNN(vocab_size, embedding_dim, rnn_units, rnn_type, num_layers, dropout)
    model(keras.Input(shape=(None,), dtype="int32"))
    return model


def build_stateful_model(vocab_size: int, embedding_dim: int, rnn_units: int, batch_size: int) -> keras.Sequential:
    """The tutorial's original design: a GRU that keeps its state between calls, for one fixed batch size."""
    return keras.Sequential([
        keras.Input(batch_shape=(batch_size, None), dtype="int32"),
        keras.layers.Embedding(vocab_size, embedding_dim),
        keras.layers.GRU(rnn_units, return_sequences=True, stateful=True),
        keras.layers.Dense(vocab_size),
    ], name="stateful_char_rnn")
