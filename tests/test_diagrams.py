"""The notebooks' diagrams, drawn by their cells tagged ``diagram``: each test runs the cell at toy size
and checks what the figure shows."""

import matplotlib

matplotlib.use("Agg")

from lessons import run_cells, tagged  # noqa: E402


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
