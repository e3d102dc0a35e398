"""One source of truth between the notebooks and helpers (CONTRIBUTING.md, "Lessons and helpers").

Each notebook holds the code its section teaches, in cells tagged ``lesson``; where helpers has
its own, hardened version of the same idea, a test here runs the notebook's cell at toy size next
to helpers' version and requires the same numbers. An edit to either side that changes what it
computes fails here.
"""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest
import tensorflow as tf
from lessons import run_cells, tagged

from scripts import runner
from helpers.dataset import make_dataset, split_input_target, stream_dataset, train_val_split
from helpers.generation import generate, sample_logits
from helpers.model import build_model
from helpers.rundir import list_checkpoints, save_run
from lessons import compiled_04, fit_04
from helpers.vocab import Vocab


def test_01_vocabulary_and_lookups_are_those_of_helpers_vocab(text):
    ns = run_cells(tagged("01_vectorize", "lesson"), {"text": text})
    checked = Vocab.from_text(text)
    assert ns["vocab"] == list(checked.chars)
    assert ns["char2idx"] == checked.char2idx
    np.testing.assert_array_equal(ns["encode"](text[:5000]), checked.encode(text[:5000]))
    assert ns["decode"](checked.encode("ROMEO: ")) == "ROMEO: "


def test_02_pipeline_gives_the_batches_of_make_dataset(ids):
    sequences = tf.data.Dataset.from_tensor_slices(ids[:20_000]).batch(21, drop_remainder=True)
    ns = run_cells(tagged("02_batch", "lesson"),
                   {"tf": tf, "sequences": sequences, "SEQ_LENGTH": 20, "BATCH_SIZE": 8, "BUFFER_SIZE": 100, "SEED": 3})
    window = tf.constant(ids[:21])
    for ours, theirs in zip(ns["split_input_target"](window), split_input_target(window)):
        np.testing.assert_array_equal(ours, theirs)
    theirs = make_dataset(ids[:20_000], 20, 8, 100, seed=3)
    assert ns["dataset"].element_spec == theirs.element_spec
    for (x, y), (x2, y2) in zip(ns["dataset"], theirs):
        np.testing.assert_array_equal(x, x2)
        np.testing.assert_array_equal(y, y2)


def lesson_model(vocab_size: int, embedding_dim: int, rnn_units: int, **kwargs):
    """Notebook 03's CharRNN class (its first lesson cell), built."""
    ns = run_cells(tagged("03_build", "lesson")[:1],
                   {"keras": keras, "vocab": range(vocab_size), "EMBEDDING_DIM": embedding_dim, "RNN_UNITS": rnn_units})
    model = ns["CharRNN"](vocab_size, embedding_dim, rnn_units, **kwargs)
    model(np.zeros((1, 1), "int32"))
    return model


@pytest.mark.parametrize("gru_impl", ["keras", "fused"])
def test_03_model_computes_what_build_model_computes(vocab, ids, gru_impl):
    keras.utils.set_random_seed(0)
    ours = lesson_model(len(vocab), 8, 16)
    theirs = build_model(len(vocab), 8, 16, gru_impl=gru_impl)
    theirs.set_weights(ours.get_weights())
    batches = list(make_dataset(ids[:30_000], 30, 16, 500, seed=0, max_batches=3))
    x = batches[0][0]
    np.testing.assert_allclose(ours(x), theirs(x), atol=1e-5)
    # State out, state in: the rest of a sequence continues from where its first part stopped.
    _, states = ours(x[:, :10], return_state=True)
    _, their_states = theirs(x[:, :10], return_state=True)
    np.testing.assert_allclose(ours(x[:, 10:], states=states), theirs(x[:, 10:], states=their_states), atol=1e-5)
    # And a few steps of training move both the same way.
    for model in (ours, theirs):
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    losses = [[float(m.train_on_batch(b[0], b[1])) for b in batches] for m in (ours, theirs)]
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-4)


def test_05_loop_and_stateful_model_write_what_generate_writes(vocab):
    keras.utils.set_random_seed(0)
    model = build_model(len(vocab), 16, 32)
    cells = tagged("05_generate", "lesson")
    # The last cell ends by comparing the two loops over 300 characters: the smoke run checks that line's
    # output (test_notebooks.py); here the loops are compared at 40, which takes a tenth of the time.
    cells[-1] = cells[-1][:cells[-1].index("old_way = ")]
    ns = run_cells(cells, {"model": model, "vocab": vocab})
    for top_k in (None, 5):
        expected = generate(model, vocab, "JULIET:\n", 40, 1.3, top_k, seed=11)
        assert ns["generate_text"]("JULIET:\n", 40, 1.3, top_k, 11) == expected
        assert ns["generate_stateful"]("JULIET:\n", 40, 1.3, top_k, 11) == expected


def test_05_sample_draws_what_sample_logits_draws_and_an_edit_changes_the_text(vocab):
    """05's loop samples with its own `sample` cell: as it stands it draws what helpers' sample_logits draws for
    each seed; multiplying by the temperature instead of dividing changes the text 05 writes."""
    keras.utils.set_random_seed(0)
    model = build_model(len(vocab), 16, 32)
    cells = tagged("05_generate", "lesson")[:3]  # sample, one_step, generate_text
    ns = run_cells(cells, {"model": model, "vocab": vocab})
    logits = model(np.array([vocab.encode("ROMEO: ")]))[:, -1]
    for temperature, top_k in ((1.0, None), (0.5, None), (1.5, 5)):
        ours = [int(ns["sample"](logits, temperature, top_k, tf.constant([3, t]))[0]) for t in range(30)]
        assert ours == [int(sample_logits(logits, temperature, top_k, tf.constant([[3, t]]))[0]) for t in range(30)]

    assert cells[0].count("logits / temperature") == 1
    edited = run_cells([cells[0].replace("logits / temperature", "logits * temperature")] + cells[1:],
                       {"model": model, "vocab": vocab})
    # At 0.1 the edit scales the logits by 0.1 instead of 10: the untrained model's small logits then matter.
    text = ns["generate_text"]("ROMEO: ", 40, 0.1, None, 3)
    assert text == generate(model, vocab, "ROMEO: ", 40, 0.1, seed=3)
    assert edited["generate_text"]("ROMEO: ", 40, 0.1, None, 3) != text


@pytest.mark.parametrize("carry", [False, True], ids=["windows", "carried"])
def test_06_loop_computes_what_fit_computes(text, vocab, ids, tmp_path, capsys, carry):
    """On batches in a fixed order: Keras's fit starts two passes over a dataset per epoch (one as an
    epoch ends, another as the next begins), so a shuffled dataset reaches the two loops in different
    orders from the second epoch on; 06 shows that difference. Carried, 06's own loop and 04's
    ``CARRY_STATE`` must train alike too."""
    train, val = train_val_split(ids[:30_000], 0.1)
    train_ds = stream_dataset(train, 30, 16, max_batches=4) if carry else make_dataset(train, 30, 16, None, max_batches=4)
    val_ds = make_dataset(val, 30, 16, None, keep_partial=True)
    keras.utils.set_random_seed(0)
    model = build_model(len(vocab), 8, 16)
    ns = {"keras": keras, "model": model, "vocab": vocab, "train_ds": train_ds, "val_ds": val_ds, "EPOCHS": 2,
          "LEARNING_RATE": 0.01, "LOG_EVERY": 2, "SAVE_EVERY": 1, "run_dir": tmp_path / "loop", "precision": "float32",
          "CARRY_STATE": carry, "BATCH_SIZE": 16, "RNN_UNITS": 16, "text": text[:30_000], "VAL_FRACTION": 0.1,
          "SEQ_LENGTH": 30}
    run_cells(tagged("06_custom_loop", "lesson"), ns)
    printed = capsys.readouterr().out
    assert [line.split(" Loss")[0] for line in printed.splitlines() if line.startswith("Epoch 1 Batch")] == [
        "Epoch 1 Batch 0", "Epoch 1 Batch 2"]
    assert [p.name for p in list_checkpoints(ns["run_dir"]).values()] == ["epoch_001.weights.h5", "epoch_002.weights.h5"]

    keras.utils.set_random_seed(0)
    fitted = compiled_04(vocab, LEARNING_RATE=0.01, CARRY_STATE=carry, BATCH_SIZE=16)
    history = fit_04(fitted, train_ds, val_ds, 2, save_run(tmp_path / "fit", fitted, vocab))
    for key in ("loss", "val_loss"):
        np.testing.assert_allclose(ns["history"][key], history[key], rtol=1e-5)


def test_06_streams_are_the_batches_of_stream_dataset(text, vocab, capsys):
    """06 shows the reshape that cuts the text into streams; the loop trains on helpers' pipeline of it."""
    cell = next(c for c in tagged("06_custom_loop", "lesson") if ".reshape(BATCH_SIZE, length)" in c)
    for batch_size, seq_length in ((8, 20), (5, 33)):
        ns = run_cells([cell], {"text": text[:30_000], "vocab": vocab, "VAL_FRACTION": 0.1, "BATCH_SIZE": batch_size,
                                "SEQ_LENGTH": seq_length})
        theirs = list(stream_dataset(train_val_split(vocab.encode(text[:30_000]), 0.1)[0], seq_length, batch_size))
        assert len(theirs) == ns["n_batches"] == len(ns["stream_inputs"]) > 1
        for i, (x, y) in enumerate(theirs):
            np.testing.assert_array_equal(ns["stream_inputs"][i], x)
            np.testing.assert_array_equal(ns["stream_targets"][i], y)
        printed = capsys.readouterr().out
        assert "every row of batch 1 continues the same row of batch 0: True" in printed
        assert f"{len(theirs)} batches per epoch" in printed


@pytest.mark.end_to_end
def test_07_backward_pass_gives_the_fused_gru_s_gradients(vocab):
    """07's NumPy backpropagation through time against helpers.gru's, the one FusedGRU trains with."""
    from helpers.gru import FusedGRU

    keras.utils.set_random_seed(0)
    model = build_model(len(vocab), 8, 16, gru_impl="keras")
    gru = model.get_layer("gru")
    rng = np.random.default_rng(0)
    weights = [w.numpy() + 0.3 * rng.standard_normal(w.shape).astype("float32") for w in gru.cell.weights]
    ns = run_cells(tagged("07_inside_the_gru", "lesson"),
                   {"np": np, "tf": tf, "model": model, "vocab": vocab, "kernel": weights[0],
                    "recurrent_kernel": weights[1], "bias": weights[2], "gru": gru, "SEED": 0})
    xs = rng.standard_normal((12, 8)).astype("float32")
    h0 = rng.standard_normal((1, 16)).astype("float32")
    e = rng.standard_normal((12, 16)).astype("float32")  # the loss sum_t h_t . e_t
    hs, gates = ns["gru_forward"](xs, h0, weights)
    _, *ours = ns["gru_backward"](xs, hs, gates, e, weights)
    fused = FusedGRU(16, return_sequences=True, name="fused_07")
    fused.build((1, 12, 8))
    fused.set_weights(weights)
    with tf.GradientTape() as tape:
        states = fused(xs[None], initial_state=[tf.constant(h0)])
        loss = tf.reduce_sum(states * e)
    np.testing.assert_allclose(hs[1:], states[0].numpy(), atol=1e-5)
    for mine, theirs in zip(ours, tape.gradient(loss, fused.trainable_weights)):
        np.testing.assert_allclose(mine, theirs.numpy(), atol=1e-4 * np.abs(theirs.numpy()).max())


def test_editing_a_lesson_cell_changes_what_its_notebook_prints(tmp_path):
    """A learner's edit takes effect where it is made: 02 with a target that is not shifted."""
    import papermill  # here, not at the top: `make test-fast` leaves this test out and need not import it

    source = runner.NOTEBOOK_DIR / "02_batch.ipynb"
    nb = json.loads(source.read_text())
    cell = next(c for c in nb["cells"] if "def split_input_target" in "".join(c["source"]))
    cell["source"] = "".join(cell["source"]).replace("target_text = sequence[1:]", "target_text = sequence[:-1]")
    edited = tmp_path / "02_edited.ipynb"
    edited.write_text(json.dumps(nb))
    papermill.execute_notebook(edited, tmp_path / "02_ran.ipynb", cwd=runner.NOTEBOOK_DIR, kernel_name="python3",
                               progress_bar=False)

    def printed(notebook: dict) -> str:
        return "".join("".join(o.get("text", "")) for c in notebook["cells"] for o in c.get("outputs", []))

    committed, ran = printed(nb), printed(json.loads((tmp_path / "02_ran.ipynb").read_text()))
    assert "('Hell', 'ello')" in committed and "('Hell', 'Hell')" in ran
    assert "Target data: 'irst Citizen" in committed and "Target data: 'First Citizen" in ran
    assert "The first three batches are the same: True" in committed
    assert "The first three batches are the same: False" in ran  # the notebook's own check sees the edit
