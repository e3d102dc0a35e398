import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers.generation import generate, generator_for, sample_logits
from helpers.model import CharRNN, build_model


@pytest.fixture(scope="module")
def model(vocab):
    keras.utils.set_random_seed(0)
    return build_model(len(vocab), 16, 32)


def test_generate_continues_the_start_string(model, vocab):
    text = generate(model, vocab, start_string="ROMEO: ", num_chars=200, temperature=1.0, seed=1)
    assert text.startswith("ROMEO: ") and len(text) == 207
    assert set(text) <= set(vocab.chars)


def test_same_seed_same_text_other_seed_other_text(model, vocab):
    a, b = (generate(model, vocab, "ROMEO: ", 100, seed=3) for _ in range(2))
    assert a == b != generate(model, vocab, "ROMEO: ", 100, seed=4)


def test_several_prompts_at_once(model, vocab):
    prompts = ["ROMEO: ", "JULIET:\n", "A"]
    texts = generate(model, vocab, prompts, 50, seed=0)
    assert [t[: len(p)] for t, p in zip(texts, prompts)] == prompts
    assert [len(t) - len(p) for t, p in zip(texts, prompts)] == [50, 50, 50]


@pytest.mark.slow
def test_top_k_1_is_greedy_whatever_the_seed(model, vocab):
    greedy = generate(model, vocab, "KING", 30, top_k=1, seed=1)
    assert greedy == generate(model, vocab, "KING", 30, top_k=1, seed=2)
    ids = vocab.encode("KING")
    for _ in range(30):
        ids = np.append(ids, int(np.argmax(model(ids[None, :])[0, -1])))
    assert greedy == vocab.decode(ids)


@pytest.mark.parametrize("kwargs, message", [
    # what only the model knows; each parameter's own rule is tests/test_params.py's
    ({"top_k": 66}, "TOP_K=66 is more than the vocabulary's 65 characters"),
    ({"start_string": "Zoë"}, "START_STRING has characters not in the vocabulary: 'ë'"),
    ({"start_string": []}, "START_STRING=\\[\\] is not allowed"),
    ({"seed": 2**31}, "SEED=2147483648 is too large"),
])
def test_bad_arguments(model, vocab, kwargs, message):
    with pytest.raises(ValueError, match=message):
        generate(model, vocab, **{"start_string": "ROMEO: ", **kwargs})


def test_zero_characters_returns_the_prompt(model, vocab):
    assert generate(model, vocab, "ROMEO: ", 0) == "ROMEO: "


def test_repeated_calls_never_retrace(model, vocab):
    generate(model, vocab, "ROMEO: ", 20, seed=0)
    traces = generator_for(model).sample.experimental_get_tracing_count()
    generate(model, vocab, "ROMEO: ", 20, seed=0)
    generate(model, vocab, "ROMEO: ", 20, temperature=0.5, top_k=3, seed=7)
    generate(model, vocab, ["JULIET: ", "A"], 90, seed=1)  # other shapes too: one trace serves all
    assert generator_for(model).sample.experimental_get_tracing_count() == traces


@pytest.mark.slow
@pytest.mark.parametrize("rnn", [dict(gru_impl="fused"), dict(gru_impl="keras"), dict(rnn_type="lstm", num_layers=2)])
def test_a_prompt_gives_the_same_text_alone_as_in_a_batch(vocab, rnn):
    keras.utils.set_random_seed(0)
    model = build_model(len(vocab), 8, 16, **rnn)
    prompts = ["ROMEO: ", "JULIET:\n", "A", "KING RICHARD III:\n"]
    together = generate(model, vocab, prompts, 40, temperature=1.5, seed=10)
    assert together == [generate(model, vocab, p, 40, temperature=1.5, seed=10 + i) for i, p in enumerate(prompts)]
    assert len(set(t[-40:] for t in together)) == len(prompts)  # each its own sample


def test_a_low_temperature_is_greedy_and_a_high_one_varied(model, vocab):
    greedy = generate(model, vocab, "KING", 100, top_k=1)
    assert generate(model, vocab, "KING", 100, temperature=1e-6, seed=5) == greedy
    assert len(set(generate(model, vocab, "KING", 100, temperature=5.0, seed=5))) > len(set(greedy))


def test_top_k_samples_only_the_k_likeliest(model, vocab):
    text = generate(model, vocab, "ROMEO: ", 60, temperature=3.0, top_k=3, seed=2)
    logits = model(vocab.encode(text)[None, :-1])[0].numpy()
    top3 = np.argsort(-logits, axis=1)[:, :3]
    generated = vocab.encode(text)[len("ROMEO: "):]
    assert all(i in top for i, top in zip(generated, top3[len("ROMEO: ") - 1:]))
    assert len(set(text[len("ROMEO: "):])) > 3  # the top 3 change as the text goes on


class NoXlaCharRNN(CharRNN):
    """A CharRNN whose logits pass through NumPy, which XLA cannot compile."""

    def call(self, inputs, states=None, return_state=False, training=False):
        logits, states = super().call(inputs, states, return_state=True, training=training)
        logits = tf.ensure_shape(tf.numpy_function(lambda x: x, [logits], tf.float32, stateful=False), logits.shape)
        return (logits, states) if return_state else logits


@pytest.mark.slow
def test_without_xla_it_warns_once_and_writes_the_same_text(model, vocab):
    no_xla = NoXlaCharRNN(len(vocab), 16, 32)
    no_xla(np.zeros((1, 1), np.int32))  # builds it
    no_xla.set_weights(model.get_weights())
    with pytest.warns(UserWarning, match="XLA could not compile generation .*PyFunc.*plain tf.function"):
        text = generate(no_xla, vocab, "ROMEO: ", 50, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert generate(no_xla, vocab, "ROMEO: ", 50, seed=1) == text
    assert not generator_for(no_xla).jit_compile
    assert text == generate(model, vocab, "ROMEO: ", 50, seed=1)


@pytest.mark.slow
def test_an_eager_loop_over_sample_logits_writes_what_generate_writes(model, vocab):
    ids = list(vocab.encode("ROMEO: "))
    logits, states = model(np.array([ids]), return_state=True)
    for t in range(len(ids) - 1, len(ids) - 1 + 50):  # seed pair (seed, position of the last character read)
        ids.append(int(sample_logits(logits[:, -1], 1.0, None, tf.constant([[7, t]]))[0]))
        logits, states = model(np.array([ids[-1:]]), states=states, return_state=True)
    assert vocab.decode(ids) == generate(model, vocab, "ROMEO: ", 50, seed=7)
