import numpy as np
import pytest

from helpers.dataset import make_dataset, stream_dataset, train_val_split
from helpers.distribute import make_strategy
from helpers.generation import generate
from helpers.model import CharRNN, choose_gru_impl
from helpers.params import RULES, ParameterError, check, check_value
from helpers.precision import choose_precision
from helpers.training import watchers


@pytest.mark.parametrize("name, value, message", [
    ("EPOCHS", 0, "EPOCHS=0 is not allowed: EPOCHS must be a whole number of at least 1."),
    ("EPOCHS", "10", "EPOCHS='10' is not allowed: EPOCHS must be a whole number of at least 1."),
    ("EPOCHS", 2.5, "EPOCHS=2.5 is not allowed"),
    ("EPOCHS", True, "EPOCHS=True is not allowed"),
    ("TEMPERATURE", 0, "TEMPERATURE=0 is not allowed: TEMPERATURE must be a number above 0, such as 1.0."),
    ("TEMPERATURE", -1.0, "TEMPERATURE=-1.0 is not allowed"),
    ("SEQ_LENGTH", 0, "SEQ_LENGTH=0 is not allowed"),
    ("RNN_TYPE", "GRU", "RNN_TYPE='GRU' is not allowed: RNN_TYPE must be 'gru' or 'lstm'."),
    ("MAX_STEPS_PER_EPOCH", 0, "MAX_STEPS_PER_EPOCH=0 is not allowed"),
    ("START_STRING", "", "START_STRING='' is not allowed"),
    ("EPOCH", 10, "EPOCH is not a parameter of these notebooks. Did you mean EPOCHS?"),
])
def test_bad_values_name_the_parameter_the_value_and_the_rule(name, value, message):
    with pytest.raises(ParameterError) as error:
        check_value(name, value)
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("name, value", [
    ("EPOCHS", 30), ("TEMPERATURE", 2), ("TEMPERATURE", 0.5), ("MAX_STEPS_PER_EPOCH", None),
    ("TOP_K", None), ("RNN_TYPE", "lstm"), ("DATA_PATH", ""), ("DROPOUT", 0),
])
def test_good_values_pass(name, value):
    check_value(name, value)


def test_check_looks_only_at_upper_case_names():
    check({"EPOCHS": 3, "model": object(), "_": None, "In": []})
    with pytest.raises(ParameterError, match="BATCH_SIZE=-1"):
        check({"EPOCHS": 3, "BATCH_SIZE": -1})


def test_a_notebook_checks_what_its_parameters_cell_declares_and_papermill_injects():
    parameters_cell = "EPOCHS: int = 10\nSEED: int = 42\n"
    notebook = {"__annotations__": {"EPOCHS": int, "SEED": int}, "EPOCHS": 10, "SEED": 42,
                "VOCAB_SIZE": 65, "In": ["", parameters_cell, "helpers.params.check(globals())"]}
    check(notebook)  # a learner's own constant (VOCAB_SIZE) is left alone
    with pytest.raises(ParameterError, match="EPOCHS=0 is not allowed"):
        check({**notebook, "EPOCHS": 0})
    injected = "# Parameters\nEPOCH = 5\n"
    with pytest.raises(ParameterError, match="EPOCH is not a parameter of these notebooks. Did you mean EPOCHS?"):
        check({**notebook, "EPOCH": 5, "In": ["", parameters_cell, injected, "helpers.params.check(globals())"]})


def test_declared_gives_the_parameters_cells_values_only():
    from helpers.params import declared

    assert declared({"__annotations__": {"EPOCHS": int}, "EPOCHS": 3, "VOCAB_SIZE": 65}) == {"EPOCHS": 3}


# A bad value of each parameter that a helpers function takes, and that call. The notebook's check
# (check_value) and the function must refuse it in the same words.
FUNCTIONS = {
    "TEMPERATURE": (0, lambda v, vocab: generate(None, vocab, temperature=v)),
    "TOP_K": (0, lambda v, vocab: generate(None, vocab, top_k=v)),
    "NUM_GENERATE": (-1, lambda v, vocab: generate(None, vocab, num_chars=v)),
    "START_STRING": ("", lambda v, vocab: generate(None, vocab, start_string=v)),
    "SEED": (-1, lambda v, vocab: generate(None, vocab, seed=v)),
    "RNN_TYPE": ("GRU", lambda v, vocab: CharRNN(len(vocab), rnn_type=v)),
    "EMBEDDING_DIM": (0, lambda v, vocab: CharRNN(len(vocab), embedding_dim=v)),
    "RNN_UNITS": (0, lambda v, vocab: CharRNN(len(vocab), rnn_units=v)),
    "NUM_LAYERS": (0, lambda v, vocab: CharRNN(len(vocab), num_layers=v)),
    "DROPOUT": (1.0, lambda v, vocab: CharRNN(len(vocab), dropout=v)),
    "GRU_IMPL": ("cudnn", lambda v, vocab: choose_gru_impl(v)),
    "PRECISION": ("bfloat16", lambda v, vocab: choose_precision(v)),
    "STRATEGY": ("gpu", lambda v, vocab: make_strategy(v)),
    "VAL_FRACTION": (1.5, lambda v, vocab: train_val_split(np.zeros(100, np.int32), v)),
    "SEQ_LENGTH": (0, lambda v, vocab: make_dataset(np.zeros(100, np.int32), seq_length=v)),
    "BATCH_SIZE": (0, lambda v, vocab: stream_dataset(np.zeros(100, np.int32), batch_size=v)),
    "BUFFER_SIZE": (-1, lambda v, vocab: make_dataset(np.zeros(100, np.int32), buffer_size=v)),
    "EPOCHS": (0, lambda v, vocab: watchers("unused", 0, v, None)),
    "PATIENCE": (0, lambda v, vocab: watchers("unused", 0, 1, None, patience=v)),
}
# Taken by no helpers function as the value the rule describes: the notebook's check is the only one.
NOTEBOOK_ONLY = {"LEARNING_RATE", "CLIP_NORM", "LR_SCHEDULE",  # 04 passes them straight to Keras (compile cell, build_for_training)
                 "MAX_STEPS_PER_EPOCH", "DATA_PATH", "RUN_DIR", "FIT_RUN_DIR", "LOG_EVERY", "SAVE_EVERY", "REPEATS",
                 "TRAIN_STEPS",
                 "EXPORT_DIR", "CARRY_STATE", "CHECKPOINT"}


def test_every_rule_is_either_checked_by_the_functions_that_take_it_or_notebook_only():
    assert set(FUNCTIONS) | NOTEBOOK_ONLY == set(RULES) and not set(FUNCTIONS) & NOTEBOOK_ONLY


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_a_function_refuses_a_bad_value_in_the_notebooks_words(name, vocab):
    value, call = FUNCTIONS[name]
    with pytest.raises(ParameterError) as notebook:
        check_value(name, value)
    with pytest.raises(ParameterError) as function:
        call(value, vocab)
    assert str(function.value) == str(notebook.value)
