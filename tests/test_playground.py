import keras
import pytest

from helpers.generation import generate
from helpers.model import build_model
from helpers.playground import generator_widget


@pytest.mark.slow
def test_the_button_writes_what_generate_writes_for_the_chosen_settings(vocab):
    keras.utils.set_random_seed(0)
    model = build_model(len(vocab), 8, 16)
    box = generator_widget(model, vocab)
    prompt, temperature, top_k, length, seed, button, output = box.children
    prompt.value, temperature.value, top_k.value, length.value, seed.value = "JULIET:\n", 0.7, 5, 40, 3
    button.click()
    assert output.outputs[-1]["text"] == generate(model, vocab, "JULIET:\n", 40, 0.7, 5, seed=3) + "\n"
    prompt.value = "Café"
    button.click()
    assert output.outputs[-1]["text"].startswith("VocabError: START_STRING has characters not in the vocabulary: 'é'")
    assert len(output.outputs) == 1  # each press replaces the text


@pytest.mark.slow
def test_top_k_none_is_the_slider_at_the_vocabulary_size(vocab):
    keras.utils.set_random_seed(0)
    model = build_model(len(vocab), 8, 16)
    box = generator_widget(model, vocab, "ROMEO: ", 30, 1.0, None, 3)
    top_k, output = box.children[2], box.children[-1]
    assert (top_k.min, top_k.value, top_k.max) == (1, len(vocab), len(vocab))
    box.write()
    assert output.outputs[-1]["text"] == generate(model, vocab, "ROMEO: ", 30, 1.0, None, seed=3) + "\n"
