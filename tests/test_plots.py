import math

import matplotlib

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
