import pytest

from helpers.data import CORPUS_BYTES, CORPUS_NAME, CorpusError, download_corpus, load_text


def test_default_corpus_is_the_tutorials(text):
    assert len(text) == 1_115_394
    assert len(set(text)) == 65
    assert text.startswith("First Citizen:\nBefore we proceed")


def test_cached_corpus_is_read_without_download(corpus_path, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / CORPUS_NAME).write_bytes(corpus_path.read_bytes())
    assert len(load_text(cache_dir=cache)) == CORPUS_BYTES


@pytest.mark.parametrize("damage", ["truncate", "flip_byte", "other_file"])
def test_damaged_cache_is_refused_not_used(corpus_path, tmp_path, damage):
    data = corpus_path.read_bytes()
    bad = {"truncate": data[: len(data) // 2],
           "flip_byte": data[:1000] + b"X" + data[1001:],
           "other_file": b"hello\n" * 1000}[damage]
    (tmp_path / CORPUS_NAME).write_bytes(bad)
    with pytest.raises(CorpusError) as error:
        load_text(cache_dir=tmp_path)
    message = str(error.value)
    assert str(tmp_path / CORPUS_NAME) in message and "Delete it" in message
    assert (tmp_path / CORPUS_NAME).read_bytes() == bad  # never silently replaced either


def test_download_from_first_origin_that_answers(corpus_path, tmp_path):
    cache = tmp_path / "cache"
    origins = ((tmp_path / "missing.txt").as_uri(), corpus_path.as_uri())
    path = download_corpus(cache, origins)
    assert path == cache / CORPUS_NAME
    assert len(load_text(cache_dir=cache)) == CORPUS_BYTES


def test_download_of_wrong_file_fails_with_every_origin_named(tmp_path):
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not shakespeare\n")
    with pytest.raises(CorpusError) as error:
        download_corpus(tmp_path / "cache", (wrong.as_uri(),))
    assert wrong.as_uri() in str(error.value)
    assert not (tmp_path / "cache" / CORPUS_NAME).exists()  # nothing left that could pass for the corpus


def test_any_utf8_text_works_with_its_own_characters(tmp_path):
    path = tmp_path / "poème.txt"
    path.write_text("Ô saisons, ô châteaux — quelle âme est sans défauts ?\n", encoding="utf-8")
    assert "â" in load_text(path)


@pytest.mark.parametrize("content, words", [
    (None, "does not exist"),
    (b"", "is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("café".encode("latin-1"), "not UTF-8"),
])
def test_unreadable_files_get_a_clear_error(tmp_path, content, words):
    path = tmp_path / "input.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CorpusError) as error:
        load_text(path)
    assert words in str(error.value) and str(path) in str(error.value)
