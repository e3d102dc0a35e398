"""pytest plugin for the notebook suite, on top of nbval.

- nbval compares stdout and results, not stderr: stderr carries warnings and progress that depend on
  the machine and the library versions, not on what the notebook teaches.
- ``--nbval-replay DIR`` compares each committed notebook with the copy of the same name that was
  already executed into DIR (by ``scripts.runner``), cell by cell (matched by cell id), instead of
  running it again in a kernel. The comparison, its sanitizing and its report are nbval's own; only
  where the outputs come from changes. So the suite executes the seven notebooks once and checks
  that one run every way it needs to.
"""

from pathlib import Path

import nbformat
import nbval.plugin
import pytest

_compare_streams = nbval.plugin.transform_streams_for_comparison


def _without_stderr(outputs):
    return _compare_streams([o for o in outputs if not (o.get("output_type") == "stream" and o.get("name") == "stderr")])


nbval.plugin.transform_streams_for_comparison = _without_stderr


def pytest_addoption(parser):
    parser.addoption("--nbval-replay", metavar="DIR", default=None,
                     help="take each cell's outputs from the executed notebook of the same name in DIR; start no kernel")


def pytest_configure(config):
    if config.option.nbval_replay:
        nbval.plugin.IPyNbFile.setup = _replay_setup
        nbval.plugin.IPyNbCell.runtest = _replay_runtest


def _replay_setup(self):
    """IPyNbFile.setup without a kernel: the sanitize patterns, and the executed copy's code cells by id."""
    self.setup_sanitize_files()
    executed = Path(self.config.option.nbval_replay) / self.path.name
    if not executed.exists():
        raise FileNotFoundError(f"{executed}: no executed copy of {self.path.name} to compare with")
    self.executed = {c.get("id"): c for c in nbformat.read(executed, as_version=4).cells if c.cell_type == "code"}


def _replay_runtest(self):
    """The end of IPyNbCell.runtest, with the executed copy's outputs in place of a kernel's."""
    if self.options["skip"]:
        pytest.skip()
    ran = self.parent.executed.get(self.cell.get("id"))
    if ran is None or ran.execution_count is None:
        self.raise_cell_error("Cell was not executed in the run being compared")
    errors = [o for o in ran.outputs if o.output_type == "error"]
    if errors:
        self.raise_cell_error("Cell execution caused an exception", "\n" + "\n".join(errors[0].traceback))
    outs = nbval.plugin.coalesce_streams(ran.outputs)
    unrun = self.cell.execution_count is None
    if unrun and self.cell.outputs:
        self.raise_cell_error("Unrun reference cell has outputs")
    if self.options["check"] and not unrun and not self.compare_outputs(outs, nbval.plugin.coalesce_streams(self.cell.outputs)):
        self.raise_cell_error("Cell outputs differ", "\n".join(self.comparison_traceback))
