"""Helpers for the character-level text generation notebooks.

Modules follow the order the notebooks meet them: ``data`` (the corpus),
``vocab`` (characters <-> ids), ``dataset`` (tf.data pipeline), ``model``,
``training``, ``generation``, ``plots`` and ``runner`` (batch runs).
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


os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
with _native_stderr_silenced():
    import tensorflow

    tensorflow.config.list_physical_devices()  # device discovery logs its own notices


def show_source(obj) -> None:
    """Print the source of a helpers function, so a notebook shows exactly the code it runs."""
    print(inspect.getsource(obj).rstrip())


from helpers import params  # noqa: E402  (light: lets every notebook call helpers.params.check)
