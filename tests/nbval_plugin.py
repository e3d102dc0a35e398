"""pytest plugin for the notebook suite: nbval compares stdout and results, not stderr.

stderr carries warnings and progress that depend on the machine and the library
versions, not on what the notebook teaches.
"""

import nbval.plugin

_compare_streams = nbval.plugin.transform_streams_for_comparison


def _without_stderr(outputs):
    return _compare_streams([o for o in outputs if not (o.get("output_type") == "stream" and o.get("name") == "stderr")])


nbval.plugin.transform_streams_for_comparison = _without_stderr
