import h5py
import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import model as model_module
from helpers.gru import FusedGRU
from helpers.model import CharRNN, build_model
from helpers.params import ParameterError


def relative_error(actual, expected) -> float:
    """Largest absolute difference, relative to the largest absolute expected value."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    return float(np.abs(actual - expected).max() / max(np.abs(expected).max(), 1e-30))


# Layers here are named: an unnamed GRU would take the name "gru" from models built later in the session.
def twin_layers(units: int, inputs, rng, **kwargs) -> tuple[keras.layers.GRU, FusedGRU]:
    """A Keras GRU and a FusedGRU with the same random weights (biases too, unlike a fresh layer)."""
    keras_gru = keras.layers.GRU(units, return_sequences=True, return_state=True, name="keras_twin", **kwargs)
    fused = FusedGRU(units, return_sequences=True, return_state=True, name="fused_twin", **kwargs)
    keras_gru(inputs)
    fused(inputs)
    keras_gru.set_weights([w + 0.3 * rng.standard_normal(w.shape).astype("float32") for w in keras_gru.get_weights()])
    fused.set_weights(keras_gru.get_weights())
    return keras_gru, fused


def outputs_and_gradients(layer, x, initial_state, output_weights, state_weights):
    """The sequence, the final state, and the gradients of a loss that weighs both at random."""
    h0 = [] if initial_state is None else [initial_state]
    with tf.GradientTape() as tape:
        tape.watch([x, *h0])
        sequence, state = layer(x, initial_state=h0 or None)
        loss = tf.reduce_sum(sequence * output_weights) + tf.reduce_sum(state * state_weights)
    names = ["x", *["initial_state"] * len(h0), "kernel", "recurrent_kernel", "bias"]
    gradients = tape.gradient(loss, [x, *h0, *layer.trainable_weights])
    return {"sequence": sequence, "state": state, **{f"d_{name}": g for name, g in zip(names, gradients)}}


@pytest.mark.parametrize("batch, time, features, units, with_state, compiled", [
    (3, 7, 5, 8, False, False), (3, 7, 5, 8, True, False),
    (3, 7, 5, 8, False, True), (3, 7, 5, 8, True, True),
    (4, 20, 32, 64, True, True),
])
def test_outputs_state_and_every_gradient_match_keras_gru(batch, time, features, units, with_state, compiled):
    rng = np.random.default_rng(0)
    x = tf.constant(rng.standard_normal((batch, time, features)), "float32")
    h0 = tf.constant(rng.standard_normal((batch, units)), "float32") if with_state else None
    output_weights = tf.constant(rng.standard_normal((batch, time, units)), "float32")
    state_weights = tf.constant(rng.standard_normal((batch, units)), "float32")
    keras_gru, fused = twin_layers(units, x, rng)
    run = tf.function(outputs_and_gradients, autograph=False) if compiled else outputs_and_gradients
    expected = run(keras_gru, x, h0, output_weights, state_weights)
    actual = run(fused, x, h0, output_weights, state_weights)
    assert set(actual) == set(expected) and len(actual) == 6 + with_state
    errors = {name: relative_error(actual[name], expected[name]) for name in expected}
    assert max(errors.values()) < 1e-4, errors


def test_without_return_sequences_or_state_it_gives_the_last_output():
    rng = np.random.default_rng(1)
    x = tf.constant(rng.standard_normal((2, 5, 3)), "float32")
    keras_gru, fused = twin_layers(4, x, rng)
    last_only = FusedGRU(4, name="last_only")
    last_only(x)
    last_only.set_weights(fused.get_weights())
    assert relative_error(last_only(x), keras_gru(x)[0][:, -1]) < 1e-6


def test_dropout_drops_the_same_input_features_at_every_step():
    x = tf.ones((8, 6, 10))
    fused = FusedGRU(4, dropout=0.5, seed=0, return_sequences=True, name="with_dropout")
    with tf.GradientTape() as tape:
        tape.watch(x)
        output = fused(x, training=True)
    kept = tape.gradient(output, x).numpy() != 0  # a dropped feature has no effect on the output
    assert (kept == kept[:, :1]).all() and 0 < kept.mean() < 1
    assert (kept[:, 0] != kept[0, 0]).any()  # each sequence draws its own mask
    np.testing.assert_array_equal(fused(x).numpy(), fused(x, training=False).numpy())


def weights_file_layout(path) -> list:
    """Every group and array in a .weights.h5, with shapes and attributes (the model's own name aside)."""
    entries = []
    with h5py.File(path) as file:
        file.visititems(lambda name, obj: entries.append((name, getattr(obj, "shape", None), dict(obj.attrs))))
    return [entry for entry in entries if entry[0] != "vars"]


@pytest.mark.parametrize("saved_with, loaded_into", [("keras", "fused"), ("fused", "keras")])
def test_a_checkpoint_of_one_implementation_loads_into_the_other(tmp_path, saved_with, loaded_into):
    keras.utils.set_random_seed(0)
    ids = np.random.default_rng(2).integers(0, 30, (3, 9)).astype("int32")
    saved = build_model(30, 8, 16, num_layers=2, gru_impl=saved_with)
    loaded = build_model(30, 8, 16, num_layers=2, gru_impl=loaded_into)
    assert (saved.gru_impl, loaded.gru_impl) == (saved_with, loaded_into)
    saved.save_weights(tmp_path / "saved.weights.h5")
    loaded.save_weights(tmp_path / "fresh.weights.h5")
    assert weights_file_layout(tmp_path / "saved.weights.h5") == weights_file_layout(tmp_path / "fresh.weights.h5")
    loaded.load_weights(tmp_path / "saved.weights.h5")
    np.testing.assert_allclose(loaded(ids).numpy(), saved(ids).numpy(), atol=1e-5)


@pytest.mark.parametrize("gpu, chosen", [(False, "fused"), (True, "keras")])
def test_auto_follows_the_gpu(monkeypatch, gpu, chosen):
    monkeypatch.setattr(model_module, "gpus", lambda: ["a GPU"] if gpu else [])
    model = build_model(30, 8, 16)
    assert model.gru_impl == chosen
    assert isinstance(model.get_layer("gru"), FusedGRU if chosen == "fused" else keras.layers.GRU)
    assert "gru_impl" not in model.config  # run folders and checkpoints do not depend on it
    assert build_model(30, 8, 16, gru_impl="fused" if chosen == "keras" else "keras").gru_impl != chosen


def test_the_model_rebuilds_from_its_config():
    model = build_model(30, 8, 16, num_layers=2, gru_impl="fused")
    rebuilt = CharRNN.from_config(model.get_config())
    assert rebuilt.config == model.config and [rnn.name for rnn in rebuilt.rnns] == ["gru_0", "gru_1"]
    assert build_model(30, 8, 16, rnn_type="lstm").gru_impl is None


def test_an_unknown_gru_impl_is_refused_for_an_lstm_too():
    with pytest.raises(ParameterError, match="GRU_IMPL='x' is not allowed"):  # for an LSTM too: wrong anywhere
        build_model(65, rnn_type="lstm", gru_impl="x")


@pytest.mark.slow
def test_fit_with_the_fused_gru_reduces_the_loss():
    keras.utils.set_random_seed(0)
    ids = np.tile(np.arange(10, dtype="int32"), 33)[:321]  # a cycle the model can learn
    windows = np.stack([ids[i:i + 21] for i in range(0, 300, 5)])
    model = build_model(10, 8, 32, dropout=0.1, gru_impl="fused")
    model.compile(optimizer=keras.optimizers.Adam(1e-2),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(windows[:, :-1], windows[:, 1:], batch_size=20, epochs=5, verbose=0).history["loss"]
    assert history[-1] < 0.5 * history[0], history
