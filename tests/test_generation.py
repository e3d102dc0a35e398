import keras
import numpy as np
import pytest

from helpers.generation import generate
from helpers.model import build_model


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


def test_top_k_1_is_greedy_whatever_the_seed(model, vocab):
    greedy = generate(model, vocab, "KING", 30, top_k=1, seed=1)
    assert greedy == generate(model, vocab, "KING", 30, top_k=1, seed=2)
    ids = vocab.encode("KING")
    for _ in range(30):
        ids = np.append(ids, int(np.argmax(model(ids[None, :])[0, -1])))
    assert greedy == vocab.decode(ids)


@pytest.mark.parametrize("kwargs, message", [
    ({"temperature": 0}, "TEMPERATURE=0 must be above 0"),
    ({"top_k": 0}, "TOP_K=0 must be between 1 and the vocabulary size 65"),
    ({"start_string": "Zoë"}, "START_STRING has characters not in the vocabulary: 'ë'"),
    ({"start_string": ""}, "START_STRING must be a non-empty string"),
    ({"num_chars": -1}, "NUM_GENERATE=-1 must be 0 or more"),
])
def test_bad_arguments(model, vocab, kwargs, message):
    with pytest.raises(ValueError, match=message):
        generate(model, vocab, **{"start_string": "ROMEO: ", **kwargs})


def test_zero_characters_returns_the_prompt(model, vocab):
    assert generate(model, vocab, "ROMEO: ", 0) == "ROMEO: "
