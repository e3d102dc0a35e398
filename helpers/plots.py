"""Plots a learner looks at: the loss curves of a training run."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def plot_history(history: dict[str, list[float]], title: str = "Training"):
    """Training and validation loss per epoch, with perplexity (exp(loss)) on the right axis."""
    epochs = history.get("epoch") or list(range(1, len(history["loss"]) + 1))
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(epochs, history["loss"], "o-", label="training loss")
    if history.get("val_loss"):
        ax.plot(epochs, history["val_loss"], "s--", label="validation loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy (nats per character)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    # The right axis is the same curve read as perplexity: loss -> exp(loss), and back with log.
    right = ax.secondary_yaxis("right", functions=(np.exp, _log))
    right.set_ylabel("perplexity")
    fig.tight_layout()
    return fig


def _log(perplexity):
    """exp's inverse, quiet where matplotlib probes 0 at the axis's edge."""
    with np.errstate(divide="ignore"):
        return np.log(perplexity)
