"""Batch runs: execute the seven notebooks in order with papermill under one profile.

    python -m helpers.runner --profile workshop

writes ``runs/<timestamp>-<profile>/`` with the executed notebooks, the trained
model (``model/``, ``custom_loop/``) and ``summary.json``. An interrupted run
continues with ``--resume runs/<that folder>``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import yaml
from jupyter_client.manager import AsyncKernelManager

from helpers.data import PROJECT_ROOT
from helpers.errors import UserError
from helpers.params import ParameterError, check_value

NOTEBOOKS = ("01_vectorize", "02_batch", "03_build", "04_fit", "05_generate", "06_custom_loop", "07_inside_the_gru")
NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
PARAMS_DIR = PROJECT_ROOT / "params"
# Which subfolder of a run each notebook's RUN_DIR points to: 05 reads what 04 trained.
RUN_SUBDIRS = {"04_fit": "model", "05_generate": "model", "06_custom_loop": "custom_loop"}
# Notebooks whose printed lines (each epoch's losses and sample) are shown while they run.
STREAMED = {"04_fit", "06_custom_loop"}
MIN_SAMPLE_CHARS = 500


class NotebookFailed(UserError, RuntimeError):
    """A notebook of a batch run stopped with an error; the message names it, its cell and the error."""


def load_profile(profile: str) -> dict:
    """A profile's parameters: UPPER_CASE names for every notebook, plus per-notebook sections."""
    path = PARAMS_DIR / f"{profile}.yaml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in PARAMS_DIR.glob("*.yaml")))
        raise ParameterError(f"PROFILE={profile!r} has no file {path.relative_to(PROJECT_ROOT)}; choose one of: {known}.")
    data = yaml.safe_load(path.read_text()) or {}
    for key, value in data.items():
        if key in NOTEBOOKS:
            for name, inner in (value or {}).items():
                check_value(name, inner)
        else:
            check_value(key, value)
    return data


def notebook_parameters(notebook: str) -> set[str]:
    """The names declared in a notebook's ``parameters`` cell."""
    import papermill

    return set(papermill.inspect_notebook(NOTEBOOK_DIR / f"{notebook}.ipynb"))


def parameters_for(notebook: str, profile: dict, run_dir: Path) -> dict:
    """The profile's values that ``notebook`` declares, with its RUN_DIR inside ``run_dir``."""
    declared = notebook_parameters(notebook)
    values = {k: v for k, v in profile.items() if k not in NOTEBOOKS and k in declared}
    values.update(profile.get(notebook) or {})
    if notebook in RUN_SUBDIRS:
        values["RUN_DIR"] = str(run_dir / RUN_SUBDIRS[notebook])
    if "EXPORT_DIR" in declared:
        values["EXPORT_DIR"] = str(run_dir / "export")
    if "FIT_RUN_DIR" in declared:  # 06 compares its loop with what 04 trained in this run
        values["FIT_RUN_DIR"] = str(run_dir / RUN_SUBDIRS["04_fit"])
    unknown = sorted(set(values) - declared)
    if unknown:
        raise ParameterError(f"{notebook} has no parameter {', '.join(unknown)}; it declares {', '.join(sorted(declared))}.")
    return values


def new_run_dir(runs_dir: Path, profile: str) -> Path:
    """A fresh folder named after the time and profile; never one another run already took."""
    runs_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{time.strftime('%Y%m%d-%H%M%S')}-{profile}"
    for attempt in range(1, 1000):
        path = runs_dir / (stem if attempt == 1 else f"{stem}-{attempt}")
        try:
            path.mkdir()  # atomic: of two runs started at once, only one can create a given name
            return path
        except FileExistsError:
            continue
    raise RuntimeError(f"could not create a new run folder in {runs_dir}")


def execute(notebook: str, parameters: dict, run_dir: Path, source: Path = NOTEBOOK_DIR) -> None:
    """Run ``source``/``notebook``.ipynb into ``run_dir``; relative paths start in notebooks/ for every edition."""
    import papermill

    papermill.execute_notebook(
        source / f"{notebook}.ipynb", run_dir / f"{notebook}.ipynb", parameters=parameters,
        cwd=NOTEBOOK_DIR, kernel_name="python3", progress_bar=False, log_output=False,
        stdout_file=_Indented(sys.stdout) if notebook in STREAMED else None,
        kernel_manager_class="helpers.runner.LocalKernelManager",
    )


class _Indented:
    """A stream that indents what a notebook prints, so it reads as part of that notebook's step."""

    def __init__(self, stream):
        self.stream = stream
        self.at_line_start = True

    def write(self, text: str) -> None:
        for piece in text.splitlines(keepends=True):
            self.stream.write(("    " if self.at_line_start else "") + piece)
            self.at_line_start = piece.endswith("\n")

    def flush(self) -> None:
        self.stream.flush()


class LocalKernelManager(AsyncKernelManager):
    """Talks to the kernel over Unix sockets in a private folder, not TCP: nothing listens on a
    network port, and ipykernel has no reason to warn about unencrypted TCP in the terminal."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.transport = "ipc"
        self.ip = str(Path(tempfile.mkdtemp(prefix="char-rnn-kernel-")) / "kernel")


def summarize(run_dir: Path, profile_name: str, profile: dict, notebook_seconds: dict | None = None) -> dict:
    """Final losses and time from the training history, plus a fresh sample of at least 500 characters."""
    from helpers import quiet_tensorflow

    quiet_tensorflow()  # the sample below needs TensorFlow; keep its start-up notices out of the run's output
    from helpers.generation import generate
    from helpers.rundir import best_of, load_run, read_history

    model_dir = run_dir / RUN_SUBDIRS["04_fit"]
    history = read_history(model_dir)
    params = json.loads((model_dir / "params.json").read_text())
    model, vocab = load_run(model_dir)
    start = profile.get("START_STRING", "ROMEO: ")
    sample = generate(model, vocab, start, max(MIN_SAMPLE_CHARS, profile.get("NUM_GENERATE", 1000)),
                      profile.get("TEMPERATURE", 1.0), profile.get("TOP_K"), seed=profile.get("SEED", 42))
    best, best_val_loss = best_of(history)
    summary = {
        "profile": profile_name,
        "parameters": params,
        "epochs": len(history.get("loss", [])),
        "final_loss": history["loss"][-1],
        "final_val_loss": history["val_loss"][-1],
        "best_epoch": best,
        "best_val_loss": best_val_loss,
        "training_seconds": round(sum(history.get("seconds", [])), 1),
        "notebook_seconds": notebook_seconds or {},  # this pass of the run, notebook by notebook
        "sample": sample,
    }
    (run_dir / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    return summary


def run(profile_name: str | None, runs_dir: Path, resume: Path | None = None, source: Path = NOTEBOOK_DIR) -> Path:
    """Run the notebooks into a new folder, or again into ``resume`` (training picks up where it stopped).

    ``source`` is the folder of the notebooks: notebooks/, or notebooks/ja/ for the Japanese edition.
    """
    import papermill

    if resume is not None:
        try:
            profile_name = json.loads((resume / "run.json").read_text())["profile"]
        except (FileNotFoundError, json.JSONDecodeError, KeyError):
            raise ParameterError(f"--resume {resume}: not a run folder of `make run` (it has no run.json).") from None
    profile = load_profile(profile_name)
    for notebook in NOTEBOOKS:  # every name and value is checked before any work starts
        parameters_for(notebook, profile, runs_dir)
    if resume is None:
        run_dir = new_run_dir(runs_dir, profile_name)
        (run_dir / "run.json").write_text(json.dumps({"profile": profile_name}))
        print(f"Run folder: {run_dir}")
    else:
        run_dir = resume
        print(f"Resuming run folder: {run_dir}")
    seconds = {}
    for i, notebook in enumerate(NOTEBOOKS, 1):
        started = time.perf_counter()
        print(f"[{i}/{len(NOTEBOOKS)}] {notebook} ...", flush=True)
        try:
            execute(notebook, parameters_for(notebook, profile, run_dir), run_dir, source)
        except papermill.PapermillExecutionError as error:
            raise NotebookFailed(
                f"{notebook}.ipynb failed in cell {error.exec_count}: {error.ename}: {error.evalue}\n"
                f"The executed notebook, with the error, is {run_dir / (notebook + '.ipynb')}."
            ) from None
        seconds[notebook] = round(time.perf_counter() - started, 1)
        print(f"[{i}/{len(NOTEBOOKS)}] {notebook} done in {seconds[notebook]:.0f} s", flush=True)
    summary = summarize(run_dir, profile_name, profile, seconds)
    print(f"Trained {summary['epochs']} epochs in {summary['training_seconds']:.0f} s: "
          f"loss {summary['final_loss']:.3f}, validation loss {summary['final_val_loss']:.3f} "
          f"(best {summary['best_val_loss']:.3f}, epoch {summary['best_epoch']})")
    print(f"Sample:\n{summary['sample'][:500]}")
    print(f"Wrote {run_dir / 'summary.json'}")
    return run_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the seven notebooks in order under one parameter profile.")
    parser.add_argument("--profile", default="workshop", help="a file name in params/ without .yaml (default: workshop)")
    parser.add_argument("--runs-dir", type=Path, default=PROJECT_ROOT / "runs", help="where run folders are created")
    parser.add_argument("--resume", type=Path, metavar="RUN_FOLDER",
                        help="run again into an interrupted run's folder; training continues after its last epoch")
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOK_DIR, metavar="FOLDER",
                        help="the notebooks' folder (default: notebooks/; notebooks/ja for the Japanese edition)")
    args = parser.parse_args(argv)
    try:
        if not all((args.notebooks / f"{nb}.ipynb").is_file() for nb in NOTEBOOKS):
            raise ParameterError(f"--notebooks {args.notebooks}: not a folder of the seven notebooks; "
                                 f"use notebooks or notebooks/ja.")
        run(args.profile, args.runs_dir, args.resume, args.notebooks.resolve())
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

