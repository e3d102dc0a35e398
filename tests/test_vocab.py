import numpy as np
import pytest

from helpers.vocab import Vocab


def test_ids_match_the_tutorial(vocab, ids):
    assert len(vocab) == 65
    assert vocab.chars[:3] == ("\n", " ", "!")
    assert ids[:13].tolist() == [18, 47, 56, 57, 58, 1, 15, 47, 58, 47, 64, 43, 52]
    assert ids.dtype == np.int32


def test_round_trip_is_exact(text, vocab, ids):
    assert vocab.decode(ids) == text


def test_saved_vocab_loads_back_equal(vocab, tmp_path):
    vocab.save(tmp_path / "vocab.json")
    assert Vocab.load(tmp_path / "vocab.json") == vocab


def test_non_ascii_vocab_survives_json(tmp_path):
    vocab = Vocab.from_text("größer — 日本語 ✓")
    vocab.save(tmp_path / "v.json")
    loaded = Vocab.load(tmp_path / "v.json")
    assert loaded == vocab and loaded.decode(loaded.encode("日本")) == "日本"


def test_unknown_characters_are_listed(vocab):
    with pytest.raises(ValueError) as error:
        vocab.encode("Café €5 é", name="START_STRING")
    message = str(error.value)
    assert message.startswith("START_STRING has characters not in the vocabulary: '5', 'é', '€'")
    assert "65 characters" in message
