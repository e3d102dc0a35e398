import pytest

from helpers.params import ParameterError, check, check_value


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
