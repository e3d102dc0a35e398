"""The plumbing the notebooks import: what a learner need not read to learn. The lessons themselves are
code cells in the notebooks; tests/test_lessons.py keeps each in step with its hardened copy here."""

from __future__ import annotations

import contextlib
import inspect
import os
import sys

from helpers.errors import UserError
from helpers.messages import language as language_chosen
from helpers.messages import message, set_language


@contextlib.contextmanager
def _native_stderr_silenced():
    """Send file descriptor 2 to /dev/null while TensorFlow's C++ core starts: its oneDNN and CUDA-stub
    notices come before any log level can be set, as red text in a learner's first cell."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real fd 2 (some embedded consoles)
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


class BackendError(UserError, ImportError):
    """Keras is set to a backend other than TensorFlow, which these notebooks are written for."""


# The package uses tf.data, tf.GradientTape and tf.random directly: Keras must run on TensorFlow.
if os.environ.setdefault("KERAS_BACKEND", "tensorflow") != "tensorflow":
    raise BackendError(message("backend.environment", backend=os.environ["KERAS_BACKEND"]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def quiet_tensorflow():
    """Import TensorFlow and Keras without TensorFlow's start-up notices, and check them; returns tensorflow.

    Importing ``helpers`` does not, so that the runner and the parameter checks start at once."""
    from helpers.precision import gpus

    with _native_stderr_silenced():
        import tensorflow

        gpus()  # the first device discovery logs its own notices
    import keras

    if keras.backend.backend() != "tensorflow":  # Keras was imported earlier, under another backend
        raise BackendError(message("backend.keras", backend=keras.backend.backend()))
    return tensorflow


# Where the notebooks' Colab badges and setup cells fetch the project from (a test checks they agree).
REPO_URL = "https://github.com/char-rnn-notebooks/char-rnn-notebooks"


def show_source(obj):
    """The source of a helpers function or class, highlighted: a notebook shows exactly the code it runs."""
    from IPython.display import Code

    return Code(inspect.getsource(obj).rstrip(), language="python")


def accelerator() -> str:
    """The GPU's name, or "CPU only" with the number of cores and the fastest matrix instructions ("AVX2", say)."""
    from helpers.precision import cpu_kind, describe_machine

    quiet_tensorflow()
    machine = describe_machine()
    gpus = machine["gpus"]
    if gpus:
        return message("setup.gpu", name=gpus[0]) + (message("setup.more_gpus", more=len(gpus) - 1) if len(gpus) > 1 else "")
    kind = cpu_kind(machine["cpu_flags"])
    return message("setup.cpu_kind" if kind else "setup.cpu", cores=machine["cores"], kind=kind)


def setup(language: str = "en") -> None:
    """The setup cell's last step: choose the language of helpers' messages ("en" or "ja"; the environment variable
    CHAR_RNN_LANGUAGE, where set, overrides it), say which hardware runs the notebook, and reload edited helpers."""
    set_language(language)
    if language_chosen() == "ja":
        _japanese_font()
    device = accelerator()
    print(message("setup.accelerator", device=device))
    if "google.colab" in sys.modules and device.startswith("CPU"):
        print(message("setup.colab_gpu"))
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    if shell is not None and "autoreload" not in shell.extension_manager.loaded:
        shell.run_line_magic("load_ext", "autoreload")
        shell.run_line_magic("autoreload", "2")  # an edited helpers file takes effect without a restart


def _japanese_font() -> None:
    """Figures in Japanese need a font with kana and kanji: matplotlib-fontja's IPAexGothic, with DejaVu Sans (matplotlib's
    own) behind it for the symbols it lacks (⊙, say). Colab does not have the package: it is installed there."""
    try:
        import matplotlib_fontja  # noqa: F401  (registers its font)
    except ImportError:
        if "google.colab" not in sys.modules:
            raise
        import subprocess

        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "matplotlib-fontja"], check=True)
        import matplotlib_fontja  # noqa: F401
    import matplotlib

    matplotlib.rcParams["font.family"] = ["IPAexGothic", "DejaVu Sans"]


from helpers import params  # noqa: E402, F401  (light: lets every notebook call helpers.params.check)
