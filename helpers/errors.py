"""Errors meant for a learner: shown in a notebook as one line, not as a stack trace."""


class UserError(Exception):
    """Base of the errors whose message says what was wrong, the value, and what to do."""

    def _render_traceback_(self):  # IPython shows these lines instead of a traceback
        return [f"{type(self).__name__}: {self}"]
