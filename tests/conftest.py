"""Shared fixtures: the real corpus (from the project's cache), tiny models, and the suite's one
execution of the seven notebooks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import helpers
from helpers.data import CORPUS_NAME, PROJECT_ROOT, default_cache_dir, load_text
from helpers.precision import read_cpuinfo
from helpers.vocab import Vocab


def keep_xla_programs() -> None:
    """With CHAR_RNN_XLA_CACHE=<folder> (`make test-fast` sets it), XLA keeps what it compiles there, so the next
    run of the edit loop loads the generators' programs instead of compiling them again. One subfolder per
    processor and TensorFlow version: a program compiled for one processor's instructions must not run on another
    (this checkout may move between an AVX-512 machine and an AVX2 one). Only where read_cpuinfo can tell the processor."""
    folder = os.environ.get("CHAR_RNN_XLA_CACHE")
    cpu, flags = read_cpuinfo(wanted=None)
    if not folder or not flags:
        return
    from importlib.metadata import version

    from helpers.data import sha256_of

    key = sha256_of(f"{cpu} {' '.join(flags)} {version('tensorflow')}".encode())[:12]
    cache = Path(folder).resolve() / key
    os.environ["TF_XLA_FLAGS"] = f"{os.environ.get('TF_XLA_FLAGS', '')} --tf_xla_persistent_cache_directory={cache}".strip()


keep_xla_programs()  # before anything imports TensorFlow, which reads TF_XLA_FLAGS


def env_importing_lessons() -> dict[str, str]:
    """The environment for a test's own Python process that imports tests/lessons.py (the notebooks' cells)."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), str(PROJECT_ROOT)])}  # lessons, scripts


def pytest_configure(config):
    """Import TensorFlow quietly before any test module does, so its start-up notices stay out of the
    output; but not in pytest-xdist's controller, which runs no test (its workers do this themselves)."""
    if not getattr(config.option, "numprocesses", None):
        helpers.quiet_tensorflow()


SHARED_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / CORPUS_NAME


@pytest.fixture(scope="session")
def corpus_path() -> Path:
    """The cached corpus; seeded from ../shared when this machine cannot download it."""
    cached = default_cache_dir() / CORPUS_NAME
    if not cached.exists() and SHARED_CORPUS.exists():
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(f"{cached.name}.{os.getpid()}.part")  # two test workers may seed it at once
        shutil.copyfile(SHARED_CORPUS, partial)
        os.replace(partial, cached)
    load_text()  # verifies (and downloads where there is a network)
    return cached


@pytest.fixture(scope="session")
def text(corpus_path) -> str:
    return load_text()


@pytest.fixture(scope="session")
def vocab(text) -> Vocab:
    return Vocab.from_text(text)


@pytest.fixture(scope="session")
def ids(text, vocab):
    return vocab.encode(text)


@pytest.fixture(scope="session")
def fresh_tiny(vocab):
    """``fresh_tiny()``: a new tiny model, built and compiled by notebook 04's compile cell, its weights from seed 0."""
    import keras
    from lessons import compiled_04

    def fresh():
        keras.utils.set_random_seed(0)
        return compiled_04(vocab)

    return fresh


def tiny_datasets(ids):
    """Four training batches and the validation batches of the corpus's first 30,000 characters."""
    import keras

    from helpers.dataset import make_dataset, train_val_split

    keras.utils.set_random_seed(0)
    train, val = train_val_split(ids[:30_000], 0.1)
    return make_dataset(train, 30, 16, 500, seed=0, max_batches=4), make_dataset(val, 30, 16, None)


@pytest.fixture
def tiny(fresh_tiny, ids):
    """``fresh_tiny()`` and small datasets cut from the real corpus."""
    model = fresh_tiny()
    return model, *tiny_datasets(ids)


# Processors by their fastest matrix instructions. This project's machines have been of the first two
# kinds, both calling themselves "AMD EPYC".
PROCESSORS = {
    "AVX2": "fpu sse sse2 avx fma avx2",
    "AVX-512 BF16": "fpu sse sse2 avx fma avx2 avx512f avx512_bf16",
    "AVX-512": "fpu sse sse2 avx fma avx2 avx512f",  # without its bfloat16 instructions
    "AMX": "fpu sse sse2 avx fma avx2 avx512f avx512_bf16 amx_tile amx_bf16",  # a recent Xeon
}


@pytest.fixture
def processor(monkeypatch, tmp_path):
    """``processor("AVX2")``: from then on helpers reads a description of that processor, not this machine's.

    The only seam where a test fakes the CPU: helpers.precision.CPUINFO, the file every helper reads it from."""
    from helpers import precision

    def describe(kind: str) -> None:
        path = tmp_path / "cpuinfo"
        path.write_text(f"processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: {PROCESSORS[kind]}\n")
        monkeypatch.setattr(precision, "CPUINFO", path)

    return describe


@dataclass(frozen=True)
class SmokeRun:
    folder: Path  # the run folder: executed notebooks, model/, custom_loop/, summary.json
    stdout: str
    stderr: str


def run_smoke(runs: Path) -> SmokeRun:
    """The seven notebooks run at params/smoke.yaml by `python -m scripts.runner`, as `make run` runs them."""
    done = subprocess.run([sys.executable, "-m", "scripts.runner", "--profile", "smoke", "--runs-dir", str(runs)],
                          capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=1800)
    assert done.returncode == 0, f"the smoke run failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    (folder,) = runs.iterdir()
    return SmokeRun(folder, done.stdout, done.stderr)


@pytest.fixture(scope="session")
def smoke_run(corpus_path, tmp_path_factory) -> SmokeRun:
    """The suite's one run of the English notebooks: the runner, notebook and student-copy tests all check it."""
    return run_smoke(tmp_path_factory.mktemp("smoke-runs"))

