"""How the held-out loss depends on where a character sits in its window of SEQ_LENGTH characters.

    .venv/bin/python -m scripts.loss_by_position RUN_DIR|pretrained [SEQ_LENGTH] [--record NAME]

Every validation window starts from a zero state, so its first characters are read with almost no context;
the last line carries the state across windows instead. --record writes records/loss_by_position_NAME.json
(docs/quality.md's table).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import helpers

helpers.quiet_tensorflow()  # before Keras imports TensorFlow
import keras  # noqa: E402

from helpers.data import load_text  # noqa: E402
from helpers.dataset import train_val_datasets, train_val_split  # noqa: E402
from helpers.pretrained import PRETRAINED_DIR, load_pretrained, run_parameters  # noqa: E402
from helpers.rundir import load_run  # noqa: E402
from helpers.training import carried_state_loss  # noqa: E402
from scripts import records  # noqa: E402

SPANS = [(0, 1), (1, 5), (5, 20), (20, 50), (50, 100), (100, 200)]


def loss_by_position(model, ids: np.ndarray, seq_length: int = 100, val_fraction: float = 0.1,
                     batch_size: int = 64) -> np.ndarray:
    """The mean loss at each position of the validation windows (the last ``val_fraction`` of ``ids``)."""
    _, val_ds = train_val_datasets(ids, seq_length, batch_size, None, val_fraction)
    per_char = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)
    return np.concatenate([per_char(target, model(inputs)).numpy() for inputs, target in val_ds]).mean(axis=0)


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--record"]
    name = sys.argv[sys.argv.index("--record") + 1] if "--record" in sys.argv else None
    if name:
        args.remove(name)
    run_dir, seq_length = Path(args[0]), int(args[1]) if len(args) > 1 else 100
    with records.Measurement() as measured:
        if run_dir.resolve() == PRETRAINED_DIR.resolve():  # weights only, no checkpoints folder
            model, vocab = load_pretrained()
        else:
            model, vocab = load_run(run_dir, "best")  # the run's best checkpoint
        trained_with = run_parameters(run_dir)  # its text and its held-out part
        ids = vocab.encode(load_text(trained_with["DATA_PATH"]))
        by_position = loss_by_position(model, ids, seq_length, trained_with["VAL_FRACTION"], trained_with.get("BATCH_SIZE", 64))
        _, val_ids = train_val_split(ids, trained_with["VAL_FRACTION"])
        carried = carried_state_loss(model, val_ids, seq_length)
    print(f"{run_dir}: validation loss {by_position.mean():.3f} over windows of {seq_length}")
    spans = {}
    for start, end in SPANS:
        if start < seq_length:
            spans[f"{start + 1}-{min(end, seq_length)}"] = round(float(by_position[start:end].mean()), 4)
            print(f"  characters {start + 1:>3}-{min(end, seq_length):<3} of a window: {by_position[start:end].mean():.3f}")
    print(f"the same text as 64 streams, state carried across windows: {carried:.3f}")
    if name:
        path = records.write(f"loss_by_position_{name}", {
            "command": f"python -m scripts.loss_by_position {' '.join(args)}", "model": name, "run_folder": str(run_dir),
            "seq_length": seq_length, "windowed": round(float(by_position.mean()), 4), "spans": spans,
            "carried": round(float(carried), 4)}, measured)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
