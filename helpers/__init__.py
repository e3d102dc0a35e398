"""The plumbing the notebooks import: what a learner need not read to learn. The lessons themselves
(vocabulary, split_input_target, the model, fit, the generation loop, the GradientTape step) are
code cells in the notebooks; tests/test_lessons.py keeps each in step with its hardened copy here.

- ``errors``: the error class whose message a notebook shows in one line
- ``params``: checks of the notebooks' parameters, one clear line per mistake
- ``data``: the corpus, downloaded once and checked by SHA-256
- ``vocab``: characters <-> ids, with an error that names unknown characters
- ``dataset``: the tf.data pipeline with its checks, and the held-out split
- ``baselines``: uniform, unigram and bigram losses, for scale
- ``model``: the model of notebook 03 grown to layers, dropout, an LSTM, and the fused GRU on a CPU
- ``gru``: the fused CPU GRU (its backward pass written out; notebook 07)
- ``distribute``: one device, several GPUs or a TPU
- ``rundir``: what a run writes and generation reads
- ``pretrained``: the model shipped in pretrained/, and 05's choice between it and a run
- ``training``: save_epoch and resume around notebook 04's fit, and evaluate
- ``progress``: the live line, each epoch's summary and sample, the duration advice
- ``generation``: sampling, and the whole generation loop, traced once per model and compiled once per shape
- ``plots``: the pictures
- ``playground``: 05's interactive generator
- ``export``: a trained model as a .keras file and a SavedModel generator (05)
"""

from __future__ import annotations

import contextlib
import inspect
import os
import sys


@contextlib.contextmanager
def _native_stderr_silenced():
    """Send file descriptor 2 to /dev/null while TensorFlow's C++ core starts.

    TensorFlow 2.21 prints oneDNN and CUDA-stub notices through absl before any
    log level can be set, and Jupyter shows them as red text in a learner's
    first cell. Python exceptions still propagate normally.
    """
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


class BackendError(ImportError):
    """Keras is set to a backend other than TensorFlow, which these notebooks are written for."""

    def _render_traceback_(self):
        return [f"{type(self).__name__}: {self}"]


# The package uses tf.data, tf.GradientTape and tf.random directly: Keras must run on TensorFlow.
if os.environ.setdefault("KERAS_BACKEND", "tensorflow") != "tensorflow":
    raise BackendError(f"KERAS_BACKEND={os.environ['KERAS_BACKEND']!r}, but these notebooks need Keras on TensorFlow: "
                       f"unset KERAS_BACKEND (or set it to 'tensorflow') and restart the kernel.")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def quiet_tensorflow():
    """Import TensorFlow and Keras without TensorFlow's start-up notices, and check them; returns tensorflow.

    Importing ``helpers`` does not import TensorFlow, so that commands which only drive notebooks
    (``python -m scripts.runner``) or check parameters start at once; a notebook's setup cell calls
    this through ``setup()``, before any lesson imports TensorFlow itself.
    """
    from helpers.precision import gpus

    with _native_stderr_silenced():
        import tensorflow

        found = gpus()  # the first device discovery logs its own notices
    import keras

    if keras.backend.backend() != "tensorflow":  # Keras was imported earlier, under another backend
        raise BackendError(f"Keras runs on {keras.backend.backend()!r}, but these notebooks need TensorFlow: "
                           f"set KERAS_BACKEND=tensorflow before anything imports Keras, and restart the kernel.")
    # Keras before 3.11.3 returns a wrongly shaped GRU state on the cuDNN path (keras-team/keras#20173).
    if found and tuple(int(p) for p in keras.__version__.split(".")[:3] if p.isdigit()) < (3, 11, 3):
        import warnings

        warnings.warn(f"Keras {keras.__version__} mishandles a GRU's state on a GPU; generation may fail: "
                      f"pip install 'keras>=3.11.3' and restart.", stacklevel=2)
    return tensorflow


# Where the notebooks' Colab badges and setup cells fetch the project from (a test checks they agree).
REPO_URL = "https://github.com/char-rnn-notebooks/char-rnn-notebooks"
# The tutorial's own figure for one epoch on a Colab GPU: quoted, never measured by this project.
QUOTED_GPU_EPOCH = "7-8 s per epoch on a Colab GPU (quoted from the TensorFlow tutorial)"


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
        return f"GPU: {gpus[0]}" + (f" (+{len(gpus) - 1} more)" if len(gpus) > 1 else "")
    kind = cpu_kind(machine["cpu_flags"])
    return f"CPU only ({machine['cores']} cores{f', {kind}' if kind else ''})"


def setup() -> None:
    """The setup cell's last step: say which hardware runs the notebook, and reload edited helpers."""
    device = accelerator()
    print(f"Accelerator: {device}")
    if "google.colab" in sys.modules and device.startswith("CPU"):
        print("Training (notebook 04) is far faster on a GPU: Runtime > Change runtime type > T4 GPU, then run again; "
              f"the tutorial reports {QUOTED_GPU_EPOCH}.")
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    if shell is not None and "autoreload" not in shell.extension_manager.loaded:
        shell.run_line_magic("load_ext", "autoreload")
        shell.run_line_magic("autoreload", "2")  # an edited helpers file takes effect without a restart


from helpers import params  # noqa: E402, F401  (light: lets every notebook call helpers.params.check)
