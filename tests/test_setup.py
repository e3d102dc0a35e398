"""helpers/__init__.py: what every notebook's setup cell relies on."""

import os
import subprocess
import sys

import helpers


def test_another_keras_backend_is_refused_in_one_line():
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    done = subprocess.run([sys.executable, "-c", "import helpers"], capture_output=True, text=True, env=env)
    assert done.returncode != 0
    assert ("BackendError: KERAS_BACKEND='jax', but these notebooks need Keras on TensorFlow: unset KERAS_BACKEND"
            in done.stderr.strip().splitlines()[-1])


def test_setup_names_the_hardware(capsys):
    helpers.setup()
    out = capsys.readouterr().out
    assert out == f"Accelerator: {helpers.accelerator()}\n"
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    assert helpers.accelerator().startswith("GPU: " if gpus else f"CPU only ({os.cpu_count()} cores")  # kinds: test_precision


def test_show_source_gives_the_highlighted_code_that_runs():
    from helpers.dataset import split_input_target

    shown = helpers.show_source(split_input_target)
    assert shown.data.startswith("def split_input_target(chunk):")
    assert "highlight" in shown._repr_html_()


def test_the_runner_and_the_parameter_checks_start_without_tensorflow():
    """`python -m scripts.runner` only drives notebook kernels, and a parameter check needs no TensorFlow."""
    code = "import sys, scripts.runner, helpers.params; print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"


def test_setup_reloads_an_edited_module(tmp_path, monkeypatch, capsys):
    """In a notebook, setup() turns on autoreload: a learner's edit to a module takes effect at the next cell."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        shell.run_cell("import helpers; helpers.setup()")
        monkeypatch.syspath_prepend(str(tmp_path))
        lesson = tmp_path / "my_lesson.py"
        lesson.write_text("ANSWER = 1\n")
        shell.run_cell("import my_lesson")
        lesson.write_text("ANSWER = 2\n")
        os.utime(lesson, (lesson.stat().st_mtime + 2,) * 2)  # a later mtime, whatever the file system's resolution
        shell.run_cell("answer = my_lesson.ANSWER")
        assert shell.user_ns["answer"] == 2
    finally:
        InteractiveShell.clear_instance()
        sys.modules.pop("my_lesson", None)
