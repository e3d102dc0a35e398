"""Every exercise's solution, checked: each solution cell runs at toy size in a namespace like the
notebook's, and its answer is compared with one worked out here another way. The committed
notebooks show no solution output, so these checks are what stands behind the answers."""

from __future__ import annotations

import ast

import keras
import numpy as np
import pytest
import tensorflow as tf
from lessons import run_cells, tagged

from helpers.dataset import make_dataset, train_val_split
from helpers.generation import generate
from helpers.model import build_model
from helpers.progress import describe_loss
from helpers.training import evaluate
from helpers.vocab import Vocab


TAKEN: dict[str, set[int]] = {}  # the solutions each notebook's test has checked


def solution(notebook: str, number: int) -> str:
    TAKEN.setdefault(notebook, set()).add(number)
    return tagged(notebook, "solution")[number - 1]


def all_checked(notebook: str) -> None:
    """Ends a notebook's test: a solution added to the notebook without a check here fails it."""
    count = len(tagged(notebook, "solution"))
    assert TAKEN.get(notebook) == set(range(1, count + 1)), f"{notebook} has {count} solutions; checked: {TAKEN.get(notebook)}"


def check_01_1(source: str, capsys) -> None:
    run_cells([source], {"text": "ROMEO:\nBut soft, What light?"})
    assert capsys.readouterr().out.splitlines()[0] == "7 capitals: 25.0% of the text"  # R O M E O B W, of 28


def test_01_exercises(capsys):
    check_01_1(solution("01_vectorize", 1), capsys)
    run_cells([solution("01_vectorize", 2)], {"np": np, "text": "ROMEO:\nBut soft, what light?"})
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Round trip exact without sorting: True"
    orders = [ast.literal_eval(line.split(" orders the set as ")[1]) for line in lines[1:]]
    assert len(orders) == 2 and orders[0] != orders[1]  # two salts, two orders of the same characters
    assert all(sorted(order) == sorted(set("ROMEO and JULIET")) for order in orders)
    vocab = sorted(set("abc ,?RVa"))
    ns = run_cells([solution("01_vectorize", 3)], {"vocab": vocab})
    lines = capsys.readouterr().out.splitlines()
    for line, own in zip(lines, (ns["english"], ns["others"])):
        assert line.endswith(f": {len(set(own))} unique characters in {len(own)}, "
                             f"{len(set(own) - set(vocab))} of them not among the 65")
    all_checked("01_vectorize")


def test_a_wrong_solution_fails_its_check(capsys):
    """What `make test` does with a solution that prints a wrong answer: its check fails."""
    wrong = solution("01_vectorize", 1).replace("char.isupper()", "char.islower()")
    with pytest.raises(AssertionError):
        check_01_1(wrong, capsys)


def test_02_exercises(capsys):
    run_cells([solution("02_batch", 1)], {"text_as_int": np.arange(1_000), "BATCH_SIZE": 4})
    assert capsys.readouterr().out.splitlines() == ["SEQ_LENGTH  10: 90 windows, 22 batches",
                                                    "SEQ_LENGTH 100: 9 windows, 2 batches"]
    ns = run_cells([solution("02_batch", 2)], {"tf": tf, "text_as_int": np.arange(10_000), "SEQ_LENGTH": 100})
    assert ns["count_windows"](np.arange(100), 10, 10) == 10 and ns["count_windows"](np.arange(100), 10, 5) == 19
    assert capsys.readouterr().out.splitlines() == ["99 windows without overlap", "198 windows overlapping by half"]
    all_checked("02_batch")


def lesson_03(vocab_size: int, embedding_dim: int, rnn_units: int) -> dict:
    ns = run_cells(tagged("03_build", "lesson")[:1], {"keras": keras, "vocab": range(vocab_size),
                                                        "EMBEDDING_DIM": embedding_dim, "RNN_UNITS": rnn_units})
    ns["input_example_batch"] = np.zeros((2, 5), "int32")
    ns["model"](ns["input_example_batch"])
    return ns


def test_03_exercises(text, vocab, capsys):
    ns = lesson_03(65, 8, 16)
    count = ns["model"].count_params()
    run_cells([solution("03_build", 1)], {**ns, "text": text, "vocab": vocab})
    assert capsys.readouterr().out == f"logits of shape (1, 250, 65), still {count:,} parameters\n"
    assert ns["model"].count_params() == count == 65 * 8 + 3 * (8 * 16 + 16 * 16 + 2 * 16) + 16 * 65 + 65
    run_cells([solution("03_build", 2)], ns)
    assert ns["half"].rnn.count_params() == 3 * (8 * 8 + 8 * 8 + 2 * 8)  # input, recurrent and two biases, at 8 units
    assert capsys.readouterr().out.startswith(f"{3 * (8 * 16 + 16 * 16 + 2 * 16):,} -> 432 parameters: 0.35 of")
    run_cells([solution("03_build", 3)], ns)
    assert ns["lstm"].count_params() == 65 * 8 + 4 * (8 * 16 + 16 * 16 + 16) + 16 * 65 + 65
    all_checked("03_build")


@pytest.fixture(scope="module")
def tiny(ids, vocab):
    keras.utils.set_random_seed(0)
    train, val = train_val_split(ids[:30_000], 0.1)
    model = build_model(len(vocab), 8, 16)
    return model, make_dataset(train, 30, 16, 500, seed=0, max_batches=6), make_dataset(val, 30, 16, None, keep_partial=True)


def test_04_exercises(tiny, vocab, capsys):
    model, train_ds, val_ds = tiny
    ns = {"keras": keras, "model": model, "vocab": vocab, "val_ds": val_ds, "train_ds": train_ds, "describe_loss": describe_loss,
          "build_model": build_model, "EMBEDDING_DIM": 8, "RNN_UNITS": 16, "RNN_TYPE": "gru", "NUM_LAYERS": 1,
          "GRU_IMPL": "auto", "loss": keras.losses.SparseCategoricalCrossentropy(from_logits=True),
          "history": {"val_loss": [3.0, 2.0, 2.5, 2.6, 1.0], "seconds": [60.0] * 5}}
    run_cells([solution("04_fit", 1)], ns)
    groups = np.concatenate(ns["after_space"]), np.concatenate(ns["elsewhere"])
    assert sum(len(g) for g in groups) == sum(int(np.prod(x.shape)) for x, _ in val_ds.take(10))
    everything = evaluate(model, val_ds.take(10))
    assert min(g.mean() for g in groups) <= everything + 1e-6 <= max(g.mean() for g in groups) + 2e-6
    run_cells([solution("04_fit", 2)], ns)
    assert [ns["stopping_epoch"](ns["history"]["val_loss"], p) for p in (1, 2, 3)] == [3, 4, 5]
    assert "PATIENCE = 2: stops after epoch 4, saves 1.0 minutes, keeps a best validation loss of 2.000" in capsys.readouterr().out
    run_cells([solution("04_fit", 3)], ns)
    inactive = float(capsys.readouterr().out.splitlines()[-1].split()[-1])
    assert inactive == pytest.approx(evaluate(model, ns["batches"]), abs=5e-4)  # dropout off: the model itself
    all_checked("04_fit")


def test_05_exercises(tiny, vocab, corpus_path, capsys):
    model = tiny[0]
    ns = run_cells(tagged("05_generate", "lesson")[:3], {"model": model, "vocab": vocab})  # sample, one_step, the loop
    ns.update(START_STRING="ROMEO: ", TEMPERATURE=1.0, SEED=3, trained_with={"DATA_PATH": "", "VAL_FRACTION": 0.1})
    run_cells([solution("05_generate", 1)], ns)
    assert capsys.readouterr().out.strip() == generate(model, vocab, "ROMEO: ", 300, 0.1, seed=3)
    run_cells([solution("05_generate", 2)], ns)
    greedy = generate(model, vocab, "ROMEO: ", 200, top_k=1, seed=0)  # greedy: test_generation.py checks it against argmax
    assert capsys.readouterr().out.splitlines()[1] == greedy.splitlines()[0]
    from helpers.data import load_text

    def first_100k(path):  # the corpus's first 100,000 characters: the same search on about a tenth of the text
        return load_text(path)[:100_000]

    ns["load_text"], ns["train_val_split"] = first_100k, train_val_split
    run_cells([solution("05_generate", 3)], ns)
    assert ns["longest_copied"]("xxabcdyy", "zabcdz abcz") == "abcd" and ns["longest_copied"]("q", "abc") == ""
    assert ns["copied"] in first_100k("") and len(ns["copied"]) >= 3
    all_checked("05_generate")


def test_06_exercises(tiny, ids, vocab, capsys):
    model, _, val_ds = tiny
    train_ds = make_dataset(ids[:20_000], 30, 16, None, max_batches=6)  # in order, so a check can take the same batches
    ns = run_cells(tagged("06_custom_loop", "lesson")[:1], {"keras": keras, "model": model, "LEARNING_RATE": 0.01,
                                                                   "precision": "float32"})
    ns.update(vocab=vocab, train_ds=train_ds, val_ds=val_ds, evaluate=evaluate, build_model=build_model, SEED=0,
              history={"loss": [4.0]})
    run_cells([solution("06_custom_loop", 1)], ns)
    assert capsys.readouterr().out.splitlines()[1].endswith(f"{evaluate(model, train_ds.take(5)):.3f}")
    ns["train_step"](*next(iter(train_ds)))  # as 06's loop has, so that Adam has a step count and moments to restore
    before = model.get_weights()
    optimizer = [v.numpy() for v in ns["optimizer"].variables]
    run_cells([solution("06_custom_loop", 2)], ns)
    assert ns["losses"][-1] < ns["losses"][0] - 0.1  # the repeated batch is learned
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))  # and the weights put back,
    assert int(ns["optimizer"].iterations) == 1 and len(optimizer) == len(ns["optimizer"].variables) > 2
    assert all(np.array_equal(a, b.numpy()) for a, b in zip(optimizer, ns["optimizer"].variables))  # Adam's state too
    run_cells([solution("06_custom_loop", 3)], ns)
    assert len(ns["steps"]) == 6 and all(float(norm) > 0 for _, norm in ns["steps"])  # 6: the toy data's batches
    all_checked("06_custom_loop")


def small_07(vocab, rnn) -> keras.Sequential:
    """A toy version of one of 07's small models: character vectors, ``rnn``, a readout."""
    return keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(len(vocab), 8), rnn,
                             keras.layers.Dense(len(vocab))])


def test_07_exercises(vocab, text, capsys):
    keras.utils.set_random_seed(0)
    model = build_model(len(vocab), 8, 16)
    gru = model.get_layer("gru")
    kernel, recurrent_kernel, bias = (w.numpy() for w in gru.cell.weights)
    ns = run_cells([c for c in tagged("07_inside_the_gru", "lesson")],
                   {"np": np, "tf": tf, "model": model, "vocab": vocab, "kernel": kernel,
                    "recurrent_kernel": recurrent_kernel, "bias": bias, "gru": gru, "SEED": 0})
    assert capsys.readouterr().out.startswith("largest difference from keras.layers.GRU after 6 steps: ")
    run_cells([solution("07_inside_the_gru", 1)], ns)
    assert capsys.readouterr().out.strip() == "state unchanged: True"
    small = small_07(vocab, keras.layers.GRU(16, return_sequences=True))
    ns.update(small_models={"GRU": (None, small)}, window=text[:41])
    before = [w.copy() for w in small.get_weights()]
    free = ns["gradient_norms"](small, ns["window"])
    run_cells([solution("07_inside_the_gru", 2)], ns)
    shares = [float(share) for share in capsys.readouterr().out.split(":")[-1].split()]
    assert shares == [1.0, 1.0, 1.0]  # the gradient reaches every state whole
    assert free[-1] / free[0] < 0.5  # which the same GRU, its gate free, does not do
    assert all(np.array_equal(a, b) for a, b in zip(before, small.get_weights()))  # and the weights are put back
    all_checked("07_inside_the_gru")


def test_every_notebook_with_exercises_has_a_test_of_its_own():
    from scripts import runner

    with_exercises = [nb for nb in runner.NOTEBOOKS if tagged(nb, "solution")]
    assert all(f"test_{nb[:2]}_exercises" in globals() for nb in with_exercises)


def test_the_vocabulary_used_here_is_the_notebooks(vocab):
    assert isinstance(vocab, Vocab) and len(vocab) == 65
