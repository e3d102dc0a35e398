"""The machine (its processor's instructions, its GPUs), and the numeric precision it suits (PRECISION):
float32 everywhere, or the matrix products in 16 bits where the hardware has fast 16-bit arithmetic, the
weights and the loss staying float32 (Keras's mixed-precision policies)."""

from __future__ import annotations

import os
import platform
from pathlib import Path

from helpers.params import check_value
from helpers.messages import message

# The instruction sets that decide how fast this machine's matrix products can be, in float32 and bfloat16.
CPU_FLAGS = ("avx2", "fma", "avx512f", "avx512_bf16", "amx_tile", "amx_bf16")
BF16_FLAGS = ("avx512_bf16", "amx_bf16")  # oneDNN's bfloat16 products use either
# The one place the processor is described: tests point it at a file describing another processor.
CPUINFO = Path("/proc/cpuinfo")
# Runs may resume at another of these: none keeps state that depends on the precision. mixed_float16 adds
# a loss scale to the optimiser, so a checkpoint's optimiser state fits only a mixed_float16 run.
INTERCHANGEABLE = {"float32", "mixed_bfloat16"}


def read_cpuinfo(cpuinfo: Path | None = None, wanted: tuple[str, ...] | None = CPU_FLAGS) -> tuple[str | None, list[str]]:
    """The processor's model name and which of ``wanted`` (None: every flag) it has; None and [] where unreadable."""
    try:
        lines = (cpuinfo or CPUINFO).read_text().splitlines()
    except OSError:
        return None, []
    fields = {}
    for line in lines:
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())  # the first processor's
    present = fields.get("flags", "").split()
    return fields.get("model name"), present if wanted is None else [flag for flag in wanted if flag in present]


def cpu_flags() -> list[str]:
    """Which of ``CPU_FLAGS`` this processor has."""
    return read_cpuinfo()[1]


def cpu_kind(flags: list[str] | None = None) -> str | None:
    """The fastest matrix instructions among ``flags`` (default: this processor's), "AVX2" say; None if unknown."""
    flags = cpu_flags() if flags is None else flags
    if not flags:
        return None
    for flag, name in (("amx_bf16", "AMX"), ("avx512_bf16", "AVX-512 BF16"), ("avx512f", "AVX-512"), ("avx2", "AVX2")):
        if flag in flags:
            return name
    return "no AVX2"


def gpus() -> list:
    """The GPUs TensorFlow sees (an empty list without one): the one place helpers asks."""
    import tensorflow as tf  # here: reading /proc/cpuinfo (read_cpuinfo) needs no TensorFlow

    return tf.config.list_physical_devices("GPU")


def gpu_details(gpu) -> dict:
    """A GPU's name ("device_name") and CUDA compute capability, as TensorFlow reports them."""
    import tensorflow as tf

    return tf.config.experimental.get_device_details(gpu)


def gpu_compute_capability() -> tuple[int, int] | None:
    found = gpus()
    return gpu_details(found[0]).get("compute_capability", (0, 0)) if found else None


def describe_machine() -> dict:
    """Where a run trained: processor, cores, accelerators and library versions."""
    import keras
    import tensorflow as tf

    cpu, flags = read_cpuinfo()
    names = [gpu_details(g).get("device_name", g.name) for g in gpus()]
    return {"cpu": cpu or platform.processor(), "cores": os.cpu_count(), "cpu_flags": flags, "gpus": names,
            "python": platform.python_version(),
            "tensorflow": tf.__version__, "keras": keras.__version__}


def choose_precision(precision: str = "auto") -> tuple[str, str]:
    """The Keras dtype policy to train with, and why: ``precision`` itself, or for "auto" the 16-bit format
    this hardware computes fast (float16 on tensor cores, bfloat16 on a TPU or a CPU with AVX-512 BF16 or AMX)."""
    check_value("PRECISION", precision)
    if precision != "auto":
        return precision, message("precision.as_set")
    capability = gpu_compute_capability()
    if capability is not None:
        major, minor = capability
        if capability >= (7, 0):
            return "mixed_float16", message("precision.tensor_cores", major=major, minor=minor)
        return "float32", message("precision.no_tensor_cores", major=major, minor=minor)
    from helpers.distribute import on_tpu

    if on_tpu():
        return "mixed_bfloat16", message("precision.tpu")
    flags = [flag for flag in BF16_FLAGS if flag in cpu_flags()]
    if flags:
        return "mixed_bfloat16", message("precision.bf16_cpu", flags=", ".join(flags))
    return "float32", message("precision.no_bf16_cpu")
