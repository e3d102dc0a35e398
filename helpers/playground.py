"""An interactive generator for notebook 05, in core ipywidgets for both 7.7 (Colab) and 8.x (JupyterLab 4)."""

from __future__ import annotations

import ipywidgets as widgets

from helpers.errors import UserError
from helpers.generation import generate
from helpers.messages import message


def generator_widget(model, vocab, start_string: str = "ROMEO: ", num_chars: int = 300,
                     temperature: float = 1.0, top_k: int | None = None, seed: int = 42) -> widgets.VBox:
    """Controls for ``generate`` and an output area; each press of the button writes a new text there."""
    style = {"description_width": "90px"}
    prompt = widgets.Textarea(value=start_string, description=message("widget.prompt"), style=style, layout={"width": "500px"})
    temp = widgets.FloatSlider(value=temperature, min=0.1, max=2.0, step=0.1, description=message("widget.temperature"), style=style)
    # None, no limit, is the slider at its right end: the k likeliest of all the characters are all of them.
    k = widgets.IntSlider(value=len(vocab) if top_k is None else top_k, min=1, max=len(vocab), description=message("widget.top_k"),
                          style=style)
    length = widgets.IntSlider(value=num_chars, min=10, max=2000, step=10, description=message("widget.characters"), style=style)
    seed_box = widgets.IntText(value=seed, description=message("widget.seed"), style=style)
    button = widgets.Button(description=message("widget.generate"), button_style="primary")
    output = widgets.Output(layout={"border": "1px solid #ccc", "padding": "4px"})

    def write(_=None):
        try:
            top = None if k.value == len(vocab) else k.value
            text = generate(model, vocab, prompt.value, length.value, temp.value, top, seed=seed_box.value)
        except UserError as error:  # an unknown character in the prompt, say: one line, not a traceback
            text = f"{type(error).__name__}: {error}"
        output.outputs = ()  # replace the last text (a synced trait: clears the view too, in 7.7 and 8.x)
        output.append_stdout(text + "\n")

    button.on_click(write)
    box = widgets.VBox([prompt, temp, k, length, seed_box, button, output])
    box.write = write  # lets a test, or a cell, press the button
    return box
