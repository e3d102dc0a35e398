"""Batch runs (``make run``): the seven notebooks in order, executed with papermill under one profile.

    python -m scripts.runner --profile workshop [--resume runs/<folder>] [--notebooks notebooks/ja]

writes ``runs/<time>-<profile>/``: the executed notebooks, the trained models (``model/``, ``custom_loop/``)
and ``summary.json``. scripts/sweep.py runs notebook 04 over a grid with the same pieces.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import time
from pathlib import Path

import yaml

from helpers.data import PROJECT_ROOT
from helpers.errors import UserError
from helpers.params import ParameterError, check_value

NOTEBOOKS = ("01_vectorize", "02_batch", "03_build", "04_fit", "05_generate", "06_custom_loop", "07_inside_the_gru")
NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
PARAMS_DIR = PROJECT_ROOT / "params"
# The folders of a run that notebooks write and read: 05 generates with what 04 trained, 06 compares its loop with it.
RUN_PATHS = {"04_fit": {"RUN_DIR": "model"}, "05_generate": {"RUN_DIR": "model", "EXPORT_DIR": "export"},
             "06_custom_loop": {"RUN_DIR": "custom_loop", "FIT_RUN_DIR": "model"}}
# Notebooks whose printed lines (each epoch's losses and sample) are shown while they run.
STREAMED = {"04_fit", "06_custom_loop"}
MIN_SAMPLE_CHARS = 500


class NotebookFailed(UserError, RuntimeError):
    """A notebook stopped with an error; the message names it, its cell, the error and the executed copy."""


def read_yaml(path: Path) -> dict:
    """A profile or sweep file's NAME: value mapping; a file that is not one is refused in one line."""
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError:
        data = None
    if not isinstance(data, dict):
        raise ParameterError(f"{path} is not a YAML mapping of NAME: value lines, such as 'EPOCHS: 3'; correct its syntax.")
    return data


def load_profile(profile: str) -> dict:
    """A profile's parameters: UPPER_CASE names for every notebook, plus per-notebook sections; all checked."""
    path = PARAMS_DIR / f"{profile}.yaml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in PARAMS_DIR.glob("*.yaml")))
        raise ParameterError(f"PROFILE={profile!r} has no file {path.relative_to(PROJECT_ROOT)}; choose one of: {known}.")
    values = read_yaml(path)
    for name, value in values.items():
        if name not in NOTEBOOKS:
            check_value(name, value)  # a name no notebook declares, a misspelt one say, is refused with a guess
    for notebook in NOTEBOOKS:
        parameters_for(notebook, values, Path())
    return values


def parameters_for(notebook: str, profile: dict, run_dir: Path) -> dict:
    """The profile's values that ``notebook`` declares, its own section's, and its folders inside ``run_dir``; checked."""
    import papermill

    declared = set(papermill.inspect_notebook(NOTEBOOK_DIR / f"{notebook}.ipynb"))
    values = {name: value for name, value in profile.items() if name in declared}
    values.update(profile.get(notebook) or {})
    values.update({name: str(run_dir / folder) for name, folder in RUN_PATHS.get(notebook, {}).items()})
    unknown = sorted(set(values) - declared)
    if unknown:
        raise ParameterError(f"{notebook} has no parameter {', '.join(unknown)}; it declares {', '.join(sorted(declared))}.")
    for name, value in values.items():
        check_value(name, value)
    return values


def new_run_dir(runs_dir: Path, profile: str) -> Path:
    """A fresh folder named after the time and profile; never one another run already took."""
    stem = f"{time.strftime('%Y%m%d-%H%M%S')}-{profile}"
    for attempt in itertools.count(1):
        path = runs_dir / (stem if attempt == 1 else f"{stem}-{attempt}")
        try:
            path.mkdir(parents=True)  # atomic: of two runs started at once, only one can create a given name
            return path
        except FileExistsError:
            continue


def execute(notebook: str, parameters: dict, run_dir: Path, source: Path = NOTEBOOK_DIR) -> None:
    """Run ``source``/``notebook``.ipynb into ``run_dir``; relative paths start in notebooks/ for every edition.
    The kernel talks over private Unix sockets, not TCP, over which ipykernel warns that it is unencrypted."""
    import papermill
    from traitlets.config import Config

    output = run_dir / f"{notebook}.ipynb"
    with tempfile.TemporaryDirectory(prefix="kernel-") as sockets:  # a short path: a socket's is limited to about 100 bytes
        try:
            papermill.execute_notebook(
                source / f"{notebook}.ipynb", output, parameters=parameters, cwd=NOTEBOOK_DIR, kernel_name="python3",
                progress_bar=False, stdout_file=sys.stdout if notebook in STREAMED else None,
                config=Config(KernelManager={"transport": "ipc", "ip": f"{sockets}/kernel"}),
            )
        except papermill.PapermillExecutionError as error:
            raise NotebookFailed(f"{notebook}.ipynb failed in cell {error.exec_count}: {error.ename}: {error.evalue} "
                                 f"(the executed notebook, with the error: {output})") from None


def training_summary(model_dir: Path) -> dict:
    """What a run's history says: its epochs, final and best losses, and the seconds spent training."""
    from helpers import quiet_tensorflow

    quiet_tensorflow()  # helpers.progress imports Keras; keep TensorFlow's start-up notices out of the output
    from helpers.progress import bits_per_char
    from helpers.rundir import best_of, read_history

    history = read_history(model_dir)
    best_epoch, best_val_loss = best_of(history)
    return {"epochs": len(history["loss"]), "final_loss": round(history["loss"][-1], 4),
            "final_val_loss": round(history["val_loss"][-1], 4), "best_epoch": best_epoch,
            "best_val_loss": round(best_val_loss, 4), "best_bits_per_char": round(bits_per_char(best_val_loss), 4),
            "training_seconds": round(sum(history["seconds"]), 1)}


def summarize(run_dir: Path, profile_name: str, profile: dict, notebook_seconds: dict) -> dict:
    """summary.json: 04's parameters and training figures, each notebook's seconds, a fresh sample of 500 characters or more."""
    summary = {"profile": profile_name, **training_summary(run_dir / "model")}  # first: it loads TensorFlow quietly
    from helpers.generation import generate
    from helpers.rundir import load_run

    model, vocab = load_run(run_dir / "model")
    sample = generate(model, vocab, profile.get("START_STRING", "ROMEO: "), max(MIN_SAMPLE_CHARS, profile.get("NUM_GENERATE", 1000)),
                      profile.get("TEMPERATURE", 1.0), profile.get("TOP_K"), seed=profile.get("SEED", 42))
    summary.update(parameters=json.loads((run_dir / "model" / "params.json").read_text()),
                   notebook_seconds=notebook_seconds, sample=sample)
    (run_dir / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    return summary


def run(profile_name: str | None, runs_dir: Path, resume: Path | None = None, source: Path = NOTEBOOK_DIR) -> Path:
    """Run the notebooks of ``source`` (notebooks/, or notebooks/ja/) into a new folder, or again into ``resume``
    (training picks up where it stopped)."""
    if resume is not None:
        if not (resume / "run.json").is_file():
            raise ParameterError(f"--resume {resume}: not a run folder of `make run` (it has no run.json).")
        profile_name = json.loads((resume / "run.json").read_text())["profile"]
    profile = load_profile(profile_name)  # every name and value is checked before any work starts
    run_dir = resume or new_run_dir(runs_dir, profile_name)
    if resume is None:
        (run_dir / "run.json").write_text(json.dumps({"profile": profile_name}))
    print(f"Run folder: {run_dir}")
    seconds = {}
    for i, notebook in enumerate(NOTEBOOKS, 1):
        started = time.perf_counter()
        print(f"[{i}/{len(NOTEBOOKS)}] {notebook} ...", flush=True)
        execute(notebook, parameters_for(notebook, profile, run_dir), run_dir, source)
        seconds[notebook] = round(time.perf_counter() - started, 1)
        print(f"[{i}/{len(NOTEBOOKS)}] {notebook} done in {seconds[notebook]:.0f} s", flush=True)
    summary = summarize(run_dir, profile_name, profile, seconds)
    print(f"Trained {summary['epochs']} epochs in {summary['training_seconds']:.0f} s: "
          f"loss {summary['final_loss']:.3f}, validation loss {summary['final_val_loss']:.3f} "
          f"(best {summary['best_val_loss']:.3f}, epoch {summary['best_epoch']})")
    print(f"Sample:\n{summary['sample'][:MIN_SAMPLE_CHARS]}")
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
