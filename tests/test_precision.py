import os
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

import helpers
from helpers import precision as precision_module
from helpers.dataset import make_dataset
from helpers.model import build_model
from helpers.model import choose_gru_impl
from helpers.precision import choose_precision, cpu_kind, read_cpuinfo
from helpers.progress import advise_on_duration
from helpers.rundir import RunDirError, checkpoint_path, save_run, save_weights_atomically
from helpers.training import evaluate
from lessons import compiled_04


@pytest.fixture
def hardware(processor, monkeypatch):
    """Pretend to be a machine with the given kind of processor and GPU compute capability (None: no GPU)."""
    def pretend(kind, gpu=None):
        processor(kind)
        monkeypatch.setattr(precision_module, "gpu_compute_capability", lambda: gpu)
    return pretend


@pytest.mark.parametrize("kind, gpu, expected", [
    ("AVX-512 BF16", None, "mixed_bfloat16"),
    ("AMX", None, "mixed_bfloat16"),
    ("AVX-512", None, "float32"),
    ("AVX2", None, "float32"),
    ("AVX2", (7, 5), "mixed_float16"),  # Colab's T4
    ("AVX2", (6, 0), "float32"),  # a P100: no tensor cores
])
def test_auto_picks_by_the_hardware_and_says_why(hardware, kind, gpu, expected):
    hardware(kind, gpu)
    picked, why = choose_precision("auto")
    assert picked == expected and why
    assert choose_precision("float32") == ("float32", "as set")


@pytest.mark.slow
@pytest.mark.skipif(bool(tf.config.list_physical_devices("GPU")), reason="a GPU decides these, not the processor")
@pytest.mark.parametrize("kind", ["AVX2", "AVX-512 BF16"])
def test_each_kind_of_processor_takes_its_own_path(processor, kind, fresh_tiny, ids, capsys):
    """What a learner's notebook chooses and prints on either kind of processor, without a second machine."""
    processor(kind)
    bf16 = kind == "AVX-512 BF16"
    assert cpu_kind() == kind
    helpers.setup()  # the setup cell's line
    assert capsys.readouterr().out == f"Accelerator: CPU only ({os.cpu_count()} cores, {kind})\n"
    assert choose_precision("auto")[0] == ("mixed_bfloat16" if bf16 else "float32")
    assert choose_precision("float32") == ("float32", "as set")  # the notebooks' default (params/tutorial.yaml)
    assert choose_gru_impl("auto") == "fused"  # a CPU of either kind runs the fused GRU
    train_ds = make_dataset(ids[:30_000], 30, 16, 500, seed=0, max_batches=4)
    advise_on_duration(fresh_tiny(), train_ds, None, 1_000_000)  # 04's time advice
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith(f"On this CPU ({kind}) a training step takes about ")
    assert printed[1].startswith("For a run of at most 10 minutes set EPOCHS = ")  # 4 steps an epoch
    assert ('PRECISION = "auto" would run the matrix products in 16 bits' in "".join(printed)) == bf16
    assert len(printed) == 2 + bf16


def test_read_cpuinfo_gives_the_model_name_and_the_flags_that_matter(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("model name\t: Some CPU\nflags\t\t: fpu sse avx2 fma avx512f avx512_bf16\n\nmodel name\t: Other\n")
    assert read_cpuinfo(info) == ("Some CPU", ["avx2", "fma", "avx512f", "avx512_bf16"])
    assert read_cpuinfo(tmp_path / "missing") == (None, [])
    assert read_cpuinfo(info, wanted=None) == ("Some CPU", ["fpu", "sse", "avx2", "fma", "avx512f", "avx512_bf16"])


def test_kept_xla_programs_have_a_folder_per_processor(processor, monkeypatch):
    """`make test-fast` keeps XLA's compiled programs between runs; another processor must not load them."""
    import conftest

    folders = []
    for kind in ("AVX2", "AVX-512"):
        processor(kind)
        monkeypatch.setenv("CHAR_RNN_XLA_CACHE", "kept")
        monkeypatch.setenv("TF_XLA_FLAGS", "--tf_xla_auto_jit=0")
        conftest.keep_xla_programs()
        first, cache = os.environ["TF_XLA_FLAGS"].split()
        assert first == "--tf_xla_auto_jit=0" and cache.startswith("--tf_xla_persistent_cache_directory=")
        folders.append(Path(cache.split("=", 1)[1]))
    assert folders[0].parent == folders[1].parent == Path("kept").resolve() and folders[0] != folders[1]


@pytest.mark.slow
@pytest.mark.parametrize("gru_impl", ["fused", "keras"])
def test_mixed_bfloat16_trains_with_float32_weights_and_loss(ids, vocab, gru_impl):
    batches = make_dataset(ids[:20_000], 30, 8, None, max_batches=4)
    keras.utils.set_random_seed(0)
    full = compiled_04(vocab, EMBEDDING_DIM=16, RNN_UNITS=32, GRU_IMPL=gru_impl)
    mixed = compiled_04(vocab, EMBEDDING_DIM=16, RNN_UNITS=32, GRU_IMPL=gru_impl, PRECISION="mixed_bfloat16")
    mixed.set_weights(full.get_weights())
    inputs, _ = next(iter(batches))
    assert mixed(inputs).dtype == "float32" and all(w.dtype == "float32" for w in mixed.get_weights())
    assert mixed.rnns[0](mixed.embedding(inputs))[0].dtype == "bfloat16"  # the GRU computes in 16 bits
    assert evaluate(mixed, batches) == pytest.approx(evaluate(full, batches), abs=0.01)
    history = mixed.fit(batches, epochs=2, verbose=0, shuffle=False).history["loss"]
    assert np.isfinite(history).all() and history[1] < history[0]


def test_mixed_float16_gets_a_loss_scale():
    model = compiled_04(range(65), PRECISION="mixed_float16")
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)


def test_a_run_resumes_at_another_precision_only_where_that_is_safe(vocab, tmp_path):
    model = build_model(len(vocab), 8, 16)
    save_run(tmp_path, model, vocab, {"PRECISION": "auto", "EPOCHS": 1})
    save_weights_atomically(model, checkpoint_path(tmp_path, 1))
    save_run(tmp_path, build_model(len(vocab), 8, 16, precision="mixed_bfloat16"), vocab, {"PRECISION": "auto"})
    with pytest.raises(RunDirError, match="PRECISION is 'mixed_bfloat16' there, 'mixed_float16' here"):
        save_run(tmp_path, build_model(len(vocab), 8, 16, precision="mixed_float16"), vocab, {"PRECISION": "auto"})
