import math

import matplotlib
import pytest

matplotlib.use("Agg")

from helpers.plots import plot_history  # noqa: E402


def test_perplexity_ticks_sit_at_the_loss_whose_exp_they_name():
    fig = plot_history({"epoch": [1, 2, 3], "loss": [2.6, 1.9, 1.2], "val_loss": [2.1, 1.8, 1.52]})
    fig.canvas.draw()
    ax, right = fig.axes[0], fig.axes[0].child_axes[0]
    labelled = [(tick.get_loc(), float(tick.label2.get_text().replace("\u2212", "-") or "nan"))
                for tick in right.yaxis.get_major_ticks() if tick.label2.get_visible() and tick.label2.get_text()]
    assert len(labelled) >= 2
    low, high = ax.get_ylim()
    for position, label in labelled:
        assert math.isclose(position, label)  # the tick's value is what its label says
        # ...and it is drawn at the height of the loss ln(label) on the left axis
        height = right.transAxes.inverted().transform(right.transData.transform((0, position)))[1]
        assert math.isclose(height, (math.log(label) - low) / (high - low), abs_tol=1e-6)


def test_epoch_ticks_are_whole_numbers():
    for epochs in (1, 2, 3, 10):
        fig = plot_history({"epoch": list(range(1, epochs + 1)), "loss": [2.0] * epochs})
        fig.canvas.draw()
        ax = fig.axes[0]
        low, high = ax.get_xlim()
        ticks = [t for t in ax.get_xticks() if low <= t <= high]
        assert 1 in ticks and all(float(t).is_integer() for t in ticks), (epochs, ticks)


def tiny_model(vocab):
    import keras

    from helpers.model import build_model

    keras.utils.set_random_seed(0)
    return build_model(len(vocab), 8, 16)


def test_char_frequencies_are_the_texts_counts_in_order(text, vocab):
    from collections import Counter

    from helpers.plots import plot_char_frequencies

    ax = plot_char_frequencies(text, vocab).axes[0]
    bars = ax.patches
    counts = Counter(text)
    assert [b.get_height() for b in bars] == sorted(counts.values(), reverse=True) and len(bars) == 65
    assert bars[0].get_height() == counts[" "] == 169_892
    # the space and the new line are drawn as glyphs, and the x label says which is which
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[0] == "␣" and labels.index("⏎") == sorted(counts, key=lambda c: -counts[c]).index("\n")
    assert ax.get_xlabel() == "character (␣ space, ⏎ new line)"


def test_next_char_bars_are_the_models_softmax(vocab):
    import numpy as np

    from helpers.plots import next_char_probabilities, plot_next_char

    model = tiny_model(vocab)
    p = next_char_probabilities(model, vocab, "ROMEO:")
    logits = model(vocab.encode("ROMEO:")[None, :])[0, -1].numpy()
    assert np.allclose(p, np.exp(logits) / np.exp(logits).sum(), atol=1e-6) and math.isclose(p.sum(), 1.0)
    heights = [b.get_height() for b in plot_next_char(model, vocab, "ROMEO:", top=5).axes[0].patches]
    assert heights == sorted(p, reverse=True)[:5]


def test_temperature_bars_are_the_tempered_distributions(vocab):
    import numpy as np

    from helpers.plots import next_char_probabilities, plot_temperatures

    model = tiny_model(vocab)
    bars = plot_temperatures(model, vocab, "ROMEO:", (0.5, 2.0), top=4).axes[0].patches
    best = np.argsort(-next_char_probabilities(model, vocab, "ROMEO:"))[:4]
    for k, temperature in enumerate((0.5, 2.0)):
        expected = next_char_probabilities(model, vocab, "ROMEO:", temperature)[best]
        assert np.allclose([b.get_height() for b in bars[4 * k:4 * k + 4]], expected)


def test_surprise_is_minus_log_p_of_each_next_character(vocab):
    import numpy as np

    from helpers.plots import next_char_probabilities, surprise, surprise_html

    model = tiny_model(vocab)
    passage = "ROMEO:\nHe jests"
    nats = surprise(model, vocab, passage)
    assert np.isnan(nats[0]) and len(nats) == len(passage)
    for i in (1, 6, len(passage) - 1):
        p = next_char_probabilities(model, vocab, passage[:i])
        assert math.isclose(nats[i], -math.log(p[vocab.char2idx[passage[i]]]), rel_tol=1e-5)
    html = surprise_html(model, vocab, passage).data
    assert html.count("<span") == len(passage) and f'title="{nats[1]:.2f} nats"' in html


def test_embedding_points_are_the_two_principal_components(vocab):
    import numpy as np

    from helpers.plots import plot_embeddings

    model = tiny_model(vocab)
    ax = plot_embeddings(model, vocab).axes[0]
    points = ax.collections[0].get_offsets()  # the dots; their labels may sit beside them
    vectors = model.get_layer("embedding").embeddings.numpy()
    centred = vectors - vectors.mean(axis=0)
    assert points.shape == (65, 2) and [t.get_text() for t in ax.texts][:2] == ["⏎", "␣"]
    # principal components: uncorrelated, the first with the largest variance any direction has
    assert abs(np.corrcoef(points.T)[0, 1]) < 1e-4
    singular = np.linalg.svd(centred, compute_uv=False)
    assert math.isclose(np.var(points[:, 0]), singular[0] ** 2 / 65, rel_tol=1e-4)
    share = singular[0] ** 2 / (singular**2).sum()
    assert ax.get_xlabel() == f"first principal component ({share:.0%} of the variance)"


def test_embedding_labels_do_not_overlap(vocab):
    from helpers.plots import plot_embeddings

    fig = plot_embeddings(tiny_model(vocab), vocab)
    assert fig.axes[0].lines, "expected some labels to have been moved off their points, each with a line"
    fig.canvas.draw()  # places each label's box where its label now is
    boxes = [t.get_bbox_patch().get_window_extent() for t in fig.axes[0].texts]
    clashes = [(i, j) for i in range(len(boxes)) for j in range(i) if boxes[i].overlaps(boxes[j])]
    assert not clashes, f"expected no two labels to overlap, these do: {clashes}"
    frame = fig.axes[0].get_window_extent()
    assert all(frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1 for b in boxes)


def test_unit_picture_shows_each_activation_at_its_character():
    import numpy as np

    from helpers.plots import plot_unit

    passage = "AB\nCDE"
    values = np.array([0.1, -0.2, 0.3, 0.4, -0.5, 0.6])
    fig = plot_unit(passage, values, unit=7)
    grid = fig.axes[0].images[0].get_array()
    assert np.allclose(grid[0, :3], [0.1, -0.2, 0.3]) and np.allclose(grid[1, :3], [0.4, -0.5, 0.6])
    assert [t.get_text() for t in fig.axes[0].texts] == ["A", "B", "⏎", "C", "D", "E"]


@pytest.mark.slow
def test_in_japanese_every_figure_of_helpers_is_labelled_in_japanese_with_no_missing_glyph(text, vocab):
    import re
    import warnings

    import numpy as np

    import helpers
    from helpers.messages import set_language
    from helpers.plots import plot_char_frequencies, plot_embeddings, plot_next_char, plot_temperatures, plot_unit

    model = tiny_model(vocab)
    set_language("ja")
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message="Glyph .* missing")  # matplotlib's warning where it draws a box
            helpers._japanese_font()  # what helpers.setup("ja") does
            figures = [plot_history({"loss": [2.0, 1.5], "val_loss": [1.9, 1.6]}), plot_char_frequencies(text, vocab),
                       plot_next_char(model, vocab, "ROMEO: "), plot_temperatures(model, vocab, "ROMEO: "),
                       plot_embeddings(model, vocab), plot_unit("Ay,\nay", np.zeros(6), 3)]
            for fig in figures:
                fig.canvas.draw()
    finally:
        set_language("en")
    for fig in figures:
        for ax in fig.axes:
            legend = ax.get_legend()
            words = [ax.get_title(), ax.get_xlabel(), ax.get_ylabel(), *(t.get_text() for t in (legend.get_texts() if legend else [])),
                     *(child.yaxis.label.get_text() for child in ax.child_axes)]  # the perplexity axis
            assert [w for w in words if w and not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", w)] == []
