"""Pictures a learner would rather look at than read: loss curves, frequencies, probabilities, surprise, embeddings, a unit."""

from __future__ import annotations

from collections import Counter

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from helpers.messages import message


def plot_history(history: dict[str, list[float]], title: str | None = None):
    """Training and validation loss per epoch, with perplexity (exp(loss)) on the right axis."""
    epochs = history.get("epoch") or list(range(1, len(history["loss"]) + 1))
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(epochs, history["loss"], "o-", label=message("plots.training_loss"))
    if history.get("val_loss"):
        ax.plot(epochs, history["val_loss"], "s--", label=message("plots.validation_loss"))
    ax.set_xlabel(message("plots.epoch"))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))  # whole epochs: no tick at 1.25
    ax.set_ylabel(message("plots.cross_entropy"))
    ax.set_title(title or message("plots.training"))
    ax.grid(alpha=0.3)
    ax.legend()
    # The right axis is the same curve read as perplexity: loss -> exp(loss), and back with log.
    right = ax.secondary_yaxis("right", functions=(np.exp, _log))
    right.set_ylabel(message("plots.perplexity"))
    fig.tight_layout()
    return fig


def _log(perplexity):
    """exp's inverse, quiet where matplotlib probes 0 at the axis's edge."""
    with np.errstate(divide="ignore"):
        return np.log(perplexity)


def plot_char_frequencies(text: str, vocab):
    """How often each character of the vocabulary (a list of characters, or a Vocab) occurs in ``text``, most frequent first."""
    counts = Counter(text)
    chars = sorted(getattr(vocab, "chars", vocab), key=lambda c: -counts[c])
    fig, ax = plt.subplots(figsize=(12, 3.5))
    ax.bar(range(len(chars)), [counts[c] for c in chars])
    ax.set_xticks(range(len(chars)), [_label(c) for c in chars], fontsize=8)
    ax.set_yscale("log")
    ax.set_xlabel(message("plots.character"))
    ax.set_ylabel(message("plots.occurrences"))
    ax.set_title(message("plots.frequencies_title", count=len(chars)))
    fig.tight_layout()
    return fig


def next_char_probabilities(model, vocab, prompt: str, temperature: float = 1.0) -> np.ndarray:
    """The model's probabilities for the character after ``prompt``, at a temperature."""
    logits = model(vocab.encode(prompt)[None, :])[0, -1].numpy().astype("float64") / temperature
    p = np.exp(logits - logits.max())
    return p / p.sum()


def plot_next_char(model, vocab, prompt: str, top: int = 15, title: str | None = None):
    """The ``top`` likeliest next characters after ``prompt``, with their probabilities."""
    p = next_char_probabilities(model, vocab, prompt)
    best = np.argsort(-p)[:top]
    fig, ax = plt.subplots(figsize=(8, 3))
    ax.bar(range(top), p[best])
    ax.set_xticks(range(top), [_label(vocab.chars[i]) for i in best])
    ax.set_xlabel(message("plots.likeliest", top=top))
    ax.set_ylabel(message("plots.probability"))
    ax.set_title(title or message("plots.next_char_title", prompt=prompt, top=top))
    fig.tight_layout()
    return fig


def plot_temperatures(model, vocab, prompt: str, temperatures=(0.5, 1.0, 1.5), top: int = 15):
    """One next-character distribution at several temperatures, over the characters likeliest at 1.0."""
    best = np.argsort(-next_char_probabilities(model, vocab, prompt))[:top]
    fig, ax = plt.subplots(figsize=(9, 3.2))
    width = 0.8 / len(temperatures)
    for k, temperature in enumerate(temperatures):
        p = next_char_probabilities(model, vocab, prompt, temperature)
        ax.bar(np.arange(top) + (k - (len(temperatures) - 1) / 2) * width, p[best], width,
               label=message("plots.temperature", temperature=temperature))
    ax.set_xticks(range(top), [_label(vocab.chars[i]) for i in best])
    ax.set_xlabel(message("plots.likeliest_at_1", top=top))
    ax.set_ylabel(message("plots.probability"))
    ax.set_title(message("plots.temperatures_title", prompt=prompt))
    ax.legend()
    fig.tight_layout()
    return fig


def surprise(model, vocab, passage: str) -> np.ndarray:
    """-ln p of each character of ``passage`` after the ones before it (the first has no context: NaN)."""
    ids = vocab.encode(passage)
    logits = model(ids[None, :-1])[0].numpy().astype("float64")
    log_p = logits - logits.max(axis=1, keepdims=True)
    log_p -= np.log(np.exp(log_p).sum(axis=1, keepdims=True))
    return np.concatenate([[np.nan], -log_p[np.arange(len(ids) - 1), ids[1:]]])


def surprise_html(model, vocab, passage: str, cap: float = 6.0):
    """``passage`` with each character on a background as red as the model was surprised by it."""
    from html import escape

    from IPython.display import HTML

    spans = []
    for char, nats in zip(passage, surprise(model, vocab, passage)):
        level = 0.0 if np.isnan(nats) else min(nats, cap) / cap
        shown = "⏎<br>" if char == "\n" else escape(char)
        title = message("plots.first_character") if np.isnan(nats) else message("plots.nats", nats=nats)
        spans.append(f'<span title="{title}" style="background: rgba(220, 40, 40, {level:.2f})">{shown}</span>')
    return HTML('<div style="font-family: monospace; line-height: 1.6">' + "".join(spans) + "</div>")


def plot_embeddings(model, vocab):
    """The characters' embedding vectors on their two principal components, each labelled where it does not overlap."""
    vectors = model.get_layer("embedding").embeddings.numpy()
    points, explained = _pca2(vectors)
    fig, ax = plt.subplots(figsize=(9, 8))
    ax.scatter(points[:, 0], points[:, 1], s=6, color="grey", zorder=1)
    labels = []
    for (x, y), char in zip(points, vocab.chars):
        kind = "tab:red" if char.isupper() else "tab:blue" if char.islower() else "black"
        labels.append(ax.text(x, y, _label(char), ha="center", va="center", fontsize=9, color=kind, family="monospace",
                              zorder=3, bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor=kind, linewidth=0.5)))
    margin = 0.06 * np.ptp(points, axis=0)
    ax.set_xlim(points[:, 0].min() - margin[0], points[:, 0].max() + margin[0])
    ax.set_ylim(points[:, 1].min() - margin[1], points[:, 1].max() + margin[1])
    ax.set_xlabel(message("plots.first_component", share=explained[0]))
    ax.set_ylabel(message("plots.second_component", share=explained[1]))
    ax.set_title(message("plots.embeddings_title", count=len(vocab)))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(alpha=0.2)
    fig.tight_layout()
    _spread_labels(ax, labels, points)
    return fig


def _spread_labels(ax, labels, points: np.ndarray, gap: float = 2.5, steps: int = 500) -> None:
    """Move overlapping labels apart, in pixels so that their boxes' sizes count; a moved label gets a line to its point."""
    fig = ax.figure
    fig.canvas.draw()  # sizes each label's box
    half = np.array([[b.width / 2 + gap, b.height / 2 + gap] for b in (t.get_bbox_patch().get_window_extent() for t in labels)])
    anchors = ax.transData.transform(points)
    frame = ax.get_window_extent()
    low, high = np.array([frame.x0, frame.y0]) + half, np.array([frame.x1, frame.y1]) - half
    centres, order = anchors.copy(), np.arange(len(labels))
    for _ in range(steps):
        delta = centres[:, None, :] - centres[None, :, :]  # [i, j]: from label j to label i
        overlap = half[:, None, :] + half[None, :, :] - np.abs(delta)
        clash = (overlap > 0).all(axis=2) & (order[:, None] != order[None, :])
        if not clash.any():
            break
        # Two labels that overlap part along the axis where they overlap least, each by half the overlap;
        # labels at the same place part by their order, so the picture is the same every time.
        axis = overlap.argmin(axis=2)[..., None]
        along = np.take_along_axis(delta, axis, 2)[..., 0]
        sign = np.where(along != 0, np.sign(along), np.sign(order[:, None] - order[None, :]))
        push = np.zeros_like(delta)
        np.put_along_axis(push, axis, (sign * (np.take_along_axis(overlap, axis, 2)[..., 0] + 0.5) / 2)[..., None], 2)
        centres = np.clip(centres + (push * clash[..., None]).sum(axis=1), low, high)
    to_data = ax.transData.inverted()
    for label, anchor, centre in zip(labels, anchors, centres):
        label.set_position(to_data.transform(centre))
        if np.hypot(*(centre - anchor)) > 1:  # moved: a line shows where its vector is
            ax.plot(*to_data.transform([anchor, centre]).T, color="grey", linewidth=0.5, zorder=2)


def plot_unit(passage: str, activations: np.ndarray, unit: int):
    """One RNN unit's activation at each character of ``passage`` (blue: negative, red: positive)."""
    lines, line, row = [], [], []
    for char, value in zip(passage, activations):
        line.append(char)
        row.append(value)
        if char == "\n" or len(line) == 60:
            lines.append((line, row))
            line, row = [], []
    if line:
        lines.append((line, row))
    width = max(len(chars) for chars, _ in lines)
    grid = np.full((len(lines), width), np.nan)
    for i, (_, values) in enumerate(lines):
        grid[i, :len(values)] = values
    fig, ax = plt.subplots(figsize=(width * 0.16 + 1, len(lines) * 0.3 + 0.8))
    ax.imshow(grid, cmap="coolwarm", vmin=-1, vmax=1, aspect="auto")
    for i, (chars, _) in enumerate(lines):
        for j, char in enumerate(chars):
            ax.text(j, i, "⏎" if char == "\n" else char, ha="center", va="center", fontsize=8, family="monospace")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(message("plots.unit_title", unit=unit))
    fig.tight_layout()
    return fig


def _pca2(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The vectors projected on their two principal components, and each component's share of the variance."""
    centred = vectors - vectors.mean(axis=0)
    _, singular, components = np.linalg.svd(centred, full_matrices=False)
    return centred @ components[:2].T, (singular**2 / (singular**2).sum())[:2]


def _label(char: str) -> str:
    return {" ": "␣", "\n": "⏎"}.get(char, char)
