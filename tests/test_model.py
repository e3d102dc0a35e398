import keras
import numpy as np
import pytest

from helpers.model import build_model


def test_tutorial_model_has_the_tutorials_parameter_count():
    model = build_model(65, 256, 1024)
    assert model.count_params() == 4_021_569
    assert [layer.name for layer in model.layers] == ["embedding", "gru", "dense"]


@pytest.mark.parametrize("batch, length", [(1, 1), (3, 17), (64, 100)])
def test_any_batch_size_and_length(batch, length):
    model = build_model(65, 8, 16)
    assert model(np.zeros((batch, length), "int32")).shape == (batch, length, 65)


@pytest.mark.parametrize("rnn_type, num_layers", [("gru", 1), ("gru", 2), ("lstm", 1), ("lstm", 2)])
def test_state_carried_explicitly_continues_the_sequence(rnn_type, num_layers):
    keras.utils.set_random_seed(0)
    model = build_model(30, 8, 16, rnn_type, num_layers)
    ids = np.random.default_rng(0).integers(0, 30, (2, 12)).astype("int32")
    whole = model(ids).numpy()
    _, states = model(ids[:, :7], return_state=True)
    assert len(states) == num_layers and len(states[0]) == (2 if rnn_type == "lstm" else 1)
    rest = model(ids[:, 7:], states=states).numpy()
    np.testing.assert_allclose(rest, whole[:, 7:], atol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("num_layers", [1, 2])
def test_notebook_05s_stateful_model_matches_stateless_and_resets(num_layers):
    from lessons import run_cells, tagged

    keras.utils.set_random_seed(0)
    model = build_model(30, 8, 16, num_layers=num_layers, dropout=0.25 if num_layers > 1 else 0.0)  # pretrained/'s shape
    stateful_cell = next(s for s in tagged("05_generate", "lesson") if "stateful=True" in s)
    stateful = run_cells([stateful_cell], {"model": model, "vocab": range(30)})["stateful"]
    ids = np.random.default_rng(1).integers(0, 30, (1, 10)).astype("int32")
    stateful(ids[:, :4])
    np.testing.assert_allclose(stateful(ids[:, 4:]).numpy(), model(ids).numpy()[:, 4:], atol=1e-5)
    for gru in stateful.layers[1:-1]:
        gru.reset_state()
    np.testing.assert_allclose(stateful(ids).numpy(), model(ids).numpy(), atol=1e-5)


def test_dropout_acts_between_layers_only_in_training():
    keras.utils.set_random_seed(0)
    ids = np.arange(30, dtype="int32")[None, :] % 65
    with_dropout = build_model(65, 16, 32, dropout=0.5)
    assert with_dropout.output_dropout is not None and build_model(65, 16, 32).output_dropout is None
    np.testing.assert_allclose(with_dropout(ids).numpy(), with_dropout(ids, training=False).numpy())
    assert not np.allclose(with_dropout(ids, training=True).numpy(), with_dropout(ids).numpy())
    plain = build_model(65, 16, 32)
    plain.set_weights(with_dropout.get_weights())  # dropout adds no weights: checkpoints load either way
    np.testing.assert_allclose(plain(ids).numpy(), with_dropout(ids).numpy(), atol=1e-6)
