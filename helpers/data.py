"""The corpus: find it in the cache, download it, verify it, read it."""

from __future__ import annotations

import hashlib
from pathlib import Path

from helpers.errors import UserError
from helpers.messages import message

CORPUS_NAME = "shakespeare.txt"
CORPUS_URL = "https://storage.googleapis.com/download.tensorflow.org/data/shakespeare.txt"
CORPUS_MIRROR = "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt"
CORPUS_SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"
CORPUS_BYTES = 1_115_394

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class CorpusError(UserError, ValueError):
    """A text file that cannot be used as a corpus, with the reason and the fix."""


def default_cache_dir() -> Path:
    """The project's ``data/`` folder (or ``./data`` when helpers is installed elsewhere)."""
    if (PROJECT_ROOT / "pyproject.toml").exists():
        return PROJECT_ROOT / "data"
    return Path.cwd() / "data"


def sha256_of(content: bytes | Path) -> str:
    """The SHA-256 of ``content``, bytes or a file's path (read in blocks), in hex: the one hash the project uses."""
    digest = hashlib.sha256()
    if isinstance(content, bytes):
        digest.update(content)
        return digest.hexdigest()
    with open(content, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_corpus(path: Path) -> None:
    """Raise CorpusError unless ``path`` is exactly the tutorial's shakespeare.txt."""
    size = path.stat().st_size
    if size != CORPUS_BYTES or sha256_of(path) != CORPUS_SHA256:
        raise CorpusError(message("corpus.not_tutorial", path=path, size=size, expected=CORPUS_BYTES, sha256=CORPUS_SHA256[:12]))


def download_corpus(cache_dir: Path, origins: tuple[str, ...] = (CORPUS_URL, CORPUS_MIRROR)) -> Path:
    """Download shakespeare.txt into ``cache_dir`` from the first origin that answers."""
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    failures = []
    for origin in origins:
        try:
            import keras

            path = keras.utils.get_file(
                CORPUS_NAME, origin=origin, file_hash=CORPUS_SHA256,
                cache_dir=str(cache_dir), cache_subdir="",
            )
        except Exception as error:  # noqa: BLE001 - try the next origin, report all at the end
            failures.append(f"{origin}: {error}")
            (cache_dir / CORPUS_NAME).unlink(missing_ok=True)  # a wrong download must not look cached
            continue
        path = Path(path)
        verify_corpus(path)
        return path
    raise CorpusError(message("corpus.download_failed", failures="\n  ".join(failures), cache_dir=cache_dir))


def read_text(path: Path) -> str:
    """Read a UTF-8 text file, refusing missing, empty and binary files with a clear message."""
    path = Path(path)
    if not path.is_file():
        raise CorpusError(message("corpus.missing", path=path))
    raw = path.read_bytes()
    if not raw:
        raise CorpusError(message("corpus.empty", path=path))
    if b"\x00" in raw:
        raise CorpusError(message("corpus.binary", path=path))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CorpusError(message("corpus.not_utf8", path=path, byte=raw[error.start], offset=error.start)) from None


def load_text(path: str | Path | None = None, cache_dir: str | Path | None = None) -> str:
    """The text at ``path`` (any UTF-8 file), or without one the Shakespeare corpus: verified, downloaded if missing."""
    if path:
        return read_text(Path(path))
    cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
    cached = cache_dir / CORPUS_NAME
    if cached.exists():
        verify_corpus(cached)
    else:
        cached = download_corpus(cache_dir)
    return read_text(cached)
