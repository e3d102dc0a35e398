"""Export a trained model as one folder: a ``.keras`` file with its vocabulary, and a SavedModel of
the compiled generator (a prompt in, text out) that serves without this package's code."""

from __future__ import annotations

from pathlib import Path

import keras
import tensorflow as tf

from helpers.data import load_text
from helpers.dataset import train_val_split
from helpers.errors import UserError
from helpers.generation import Generator
from helpers.model import CharRNN
from helpers.rundir import export_pretrained
from helpers.training import carried_state_loss
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


def held_out_measures(model: CharRNN, vocab: Vocab, params: dict) -> dict:
    """The held-out loss read as 64 streams with the state carried: the second of the two standard measures."""
    val_ids = train_val_split(vocab.encode(load_text(params.get("DATA_PATH", ""))), params.get("VAL_FRACTION", 0.1))[1]
    return {"carried_val_loss": round(carried_state_loss(model, val_ids, 100, 64), 4)}


def main(argv: list[str] | None = None) -> int:
    """``python -m helpers.export pretrained RUN_DIR "COMMAND"``: refresh pretrained/ from a run (make pretrained)."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 3 or args[0] != "pretrained":
        print('usage: python -m helpers.export pretrained RUN_DIR "the command that trained it"', file=sys.stderr)
        return 2
    try:
        info = export_pretrained(args[1], args[2], measure=held_out_measures)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"pretrained/: epoch {info['epoch']} of {args[1]}, validation loss {info['val_loss']:.4f} "
          f"(state carried: {info['carried_val_loss']:.4f}), {info['bytes'] / 1e6:.1f} MB, sha256 {info['sha256'][:12]}…")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
