"""The notebooks' diagrams, drawn by their cells tagged ``diagram``: each test runs the cell at toy size
and checks what the figure shows."""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from lessons import run_cells, tagged  # noqa: E402
from matplotlib.text import Annotation  # noqa: E402


def test_03_unrolled_model_shows_four_steps_of_shifted_text():
    ns = run_cells(tagged("03_build", "diagram"), {"text": "Fir t\nCitizen", "EMBEDDING_DIM": 8, "RNN_UNITS": 16,
                                                   "vocab": range(65)})
    ax = ns["fig"].axes[0]
    texts = [t for t in ax.texts if t.get_text()]
    labels = [t.get_text() for t in texts]
    for layer in ("Embedding", "GRU", "Dense"):
        assert labels.count(layer) == 4  # one box per time step
    assert [label for label in labels if label.startswith("step")] == ["step 0", "step 1", "step 2", "step 3"]

    def row(y):  # the boxes at one height, left to right
        return [t.get_text() for t in sorted(texts, key=lambda t: t.get_position()[0])
                if t.get_position()[1] == y and t.get_bbox_patch() is not None]

    assert row(0) == ["F", "i", "r", "␣"]  # the inputs, a space drawn as a glyph
    assert row(4) == ["i", "r", "␣", "t"]  # the targets: the same text, one character later
    assert row(2) == ["GRU"] * 4
    # the state: one arrow into the first step, one between each pair of steps, one out of the last
    state = [a for a in ax.texts if getattr(a, "arrowprops", None) and a.arrowprops.get("color") == "#c0504d"]
    assert len(state) == 5 and {a.xy[1] for a in state} == {2}
    assert "a vector of 8" in labels and "a state of 16" in labels and "65 logits" in labels


def test_06_diagram_cuts_the_gradient_at_every_batch_boundary(text):
    """06's picture of truncated backpropagation: in both panels no gradient arrow crosses a batch boundary; only
    the carried streams' state does, and only their first batch starts from a zero state."""
    ns = run_cells(tagged("06_custom_loop", "diagram"), {})
    windows, carried = ns["fig"].axes[:2]
    assert windows.get_title("left").startswith("windows") and carried.get_title("left").startswith("carried streams")
    for ax in (windows, carried):
        boundaries = [line.get_xdata()[0] for line in ax.lines if line.get_gid() == "boundary"]
        stops = sorted(line.get_xdata()[0] for line in ax.lines if line.get_gid() == "stop")
        xs = sorted(t.get_position()[0] for t in ax.texts if t.get_gid() == "step")
        firsts = [x for x in xs if x - 1 not in xs]  # each window's first step
        arrows = {kind: [(a.xyann[0], a.xy[0]) for a in ax.texts if a.get_gid() == kind] for kind in ("state", "gradient")}
        crossing = {kind: [b for b in boundaries for start, end in arrows[kind] if min(start, end) < b < max(start, end)]
                    for kind in arrows}
        assert len(boundaries) == 2 and len(firsts) == len(stops) == 3
        assert all(start < end for start, end in arrows["state"]) and all(start > end for start, end in arrows["gradient"])
        assert crossing["gradient"] == []
        assert crossing["state"] == ([] if ax is windows else boundaries)  # the carried state crosses each boundary once
        assert len([t for t in ax.texts if t.get_gid() == "zero"]) == (3 if ax is windows else 1)
        # each window's gradient stops just before its first step, after the boundary before it
        assert all(left < stop < first for left, stop, first in zip([-np.inf, *boundaries], stops, firsts))
        assert all(min(end for _, end in arrows["gradient"] if first - 1 < end < first + 4) >= stop
                   for stop, first in zip(stops, firsts))

    def letters(ax):
        return "".join(t.get_text() for t in ax.texts if t.get_gid() == "step").replace("\u2423", " ")

    assert letters(carried) in text and letters(windows) not in text  # a stream reads on; windows come from anywhere
    plt.close(ns["fig"])


def test_07_gru_diagram_draws_the_wires_of_the_equations():
    [cell] = tagged("07_inside_the_gru", "diagram")
    ns = run_cells([cell.replace("plt.show()", "")], {})
    # what each node is computed from, read off 07's four equations (h_t = z h_{t-1} + (1 - z) c, Keras's way)
    inputs = {"z": {"x_t", "h_prev"}, "r": {"x_t", "h_prev"}, "c": {"x_t", "h_prev", "r"}, "z*h": {"z", "h_prev"},
              "1-z": {"z"}, "(1-z)*c": {"1-z", "c"}, "+": {"z*h", "(1-z)*c"}, "h_t": {"+"}}
    assert {(source, target) for target, sources in inputs.items() for source in sources} == set(ns["edges"])
    ax = plt.gcf().axes[0]
    arrows = [t for t in ax.texts if isinstance(t, Annotation)]
    assert len(arrows) == len(ns["edges"])  # one arrow per wire, ending at the node it feeds
    for (_, target), arrow in zip(ns["edges"], arrows):
        assert math.dist(arrow.xy, ns["nodes"][target][:2]) < 1
    shown = {t.get_text() for t in ax.texts}
    assert {"σ\nupdate $z_t$", "σ\nreset $r_t$", "tanh\ncandidate $c_t$", "$x_t$", "$h_{t-1}$", "$h_t$"} <= shown
    assert r"$h_t = z_t \odot h_{t-1} + (1 - z_t) \odot c_t$" in shown
    plt.close("all")
