"""Export a trained model as one folder: a ``.keras`` file with its vocabulary, and a SavedModel of
the compiled generator (a prompt in, text out) that serves without this package's code."""

from __future__ import annotations

from pathlib import Path

import keras
import tensorflow as tf

from helpers.generation import Generator
from helpers.model import CharRNN
from helpers.vocab import Vocab


class TextGenerator(tf.Module):
    """The model's sampling loop behind a text interface: ``generate(prompt, num_chars, temperature, seed)``."""

    def __init__(self, model: CharRNN, vocab: Vocab):
        super().__init__()
        self.loop = Generator(model)
        self.chars = tf.constant(vocab.chars)
        self.ids = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(self.chars, tf.range(len(vocab), dtype=tf.int32)), default_value=-1)

    @tf.function(input_signature=[tf.TensorSpec([], tf.string, name="prompt"), tf.TensorSpec([], tf.int32, name="num_chars"),
                                  tf.TensorSpec([], tf.float32, name="temperature"), tf.TensorSpec([], tf.int32, name="seed")])
    def generate(self, prompt, num_chars, temperature, seed):
        """The prompt and ``num_chars`` characters after it, as ``helpers.generation.generate`` writes them."""
        ids = self.ids.lookup(tf.strings.unicode_split(prompt, "UTF-8"))
        tf.debugging.assert_non_negative(ids, "the prompt has characters that are not in the model's vocabulary")
        length = tf.shape(ids)[0]
        buffer = tf.pad(ids, [[0, num_chars]])[None]
        out = self.loop.sample(buffer, length[None], num_chars, temperature, tf.shape(self.chars)[0], seed)
        return tf.strings.reduce_join(tf.gather(self.chars, out[0]))


def export(model: CharRNN, vocab: Vocab, folder: str | Path) -> Path:
    """Write ``model.keras`` and ``vocab.json`` (for Keras and this package) and ``generator/`` (a SavedModel)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model.save(folder / "model.keras")
    vocab.save(folder / "vocab.json")
    logger, level = tf.get_logger(), tf.get_logger().level
    logger.setLevel("WARNING")  # not "INFO: Assets written to ..." in a learner's notebook
    try:
        tf.saved_model.save(TextGenerator(model, vocab), str(folder / "generator"))
    finally:
        logger.setLevel(level)
    return folder


def load_exported(folder: str | Path) -> tuple[CharRNN, Vocab]:
    """The model and vocabulary of an exported folder; ``safe_mode`` refuses any saved code (lambdas)."""
    folder = Path(folder)
    return keras.saving.load_model(folder / "model.keras", safe_mode=True), Vocab.load(folder / "vocab.json")
