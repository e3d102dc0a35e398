"""An exported model reloads, and its SavedModel generator writes the same text in a fresh process."""

import subprocess
import sys

import pytest

import keras
import numpy as np

from helpers.export import export, load_exported
from helpers.generation import generate
from helpers.model import build_model

SERVE = """
import sys
import tensorflow as tf  # no helpers: the SavedModel must serve on TensorFlow alone
assert "helpers" not in sys.modules
generator = tf.saved_model.load(sys.argv[1])
print(generator.generate(tf.constant("ROMEO: "), 80, 0.8, 7).numpy().decode("utf-8"), end="")
"""


@pytest.mark.end_to_end
def test_exported_generator_writes_the_same_text_in_a_fresh_process(vocab, tmp_path):
    keras.utils.set_random_seed(3)
    model = build_model(len(vocab), 8, 32)
    folder = export(model, vocab, tmp_path / "export")
    expected = generate(model, vocab, "ROMEO: ", 80, 0.8, seed=7)
    served = subprocess.run([sys.executable, "-c", SERVE, str(folder / "generator")], capture_output=True, text=True,
                            cwd=tmp_path, timeout=300)
    assert served.returncode == 0, served.stderr[-3000:]
    assert served.stdout == expected

    reloaded, reloaded_vocab = load_exported(folder)
    ids = vocab.encode("ROMEO: ")[None, :]
    assert reloaded_vocab == vocab
    np.testing.assert_allclose(reloaded(ids).numpy(), model(ids).numpy(), atol=1e-6)


@pytest.mark.slow
def test_a_stacked_model_with_dropout_exports_reloads_and_serves(vocab, tmp_path):
    """The shape of pretrained/ since make best trains two layers: the export must carry both states."""
    import tensorflow as tf

    keras.utils.set_random_seed(4)
    model = build_model(len(vocab), 8, 16, num_layers=2, dropout=0.25)
    folder = export(model, vocab, tmp_path / "export")
    reloaded, _ = load_exported(folder)
    ids = vocab.encode("ROMEO: ")[None, :]
    np.testing.assert_allclose(reloaded(ids).numpy(), model(ids).numpy(), atol=1e-6)
    generator = tf.saved_model.load(str(folder / "generator"))  # held: its variables live as long as it does
    served = generator.generate(tf.constant("ROMEO: "), 40, 0.8, 7)
    assert served.numpy().decode("utf-8") == generate(model, vocab, "ROMEO: ", 40, 0.8, seed=7)
