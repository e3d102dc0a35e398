"""helpers/messages.py and messages.yaml: every message in English and Japanese, the language chosen by the notebook."""

import re
import string

import pytest

from helpers.data import PROJECT_ROOT
from helpers.messages import CATALOGUE, LANGUAGES, LanguageError, message, set_language
from helpers.params import RULES, ParameterError, check_value
from helpers.vocab import Vocab, VocabError


def fields(template: str) -> list[tuple]:
    """A template's placeholders: name, conversion and format, each as often as it occurs."""
    return sorted((name, conversion or "", spec or "") for _, name, spec, conversion in string.Formatter().parse(template)
                  if name is not None)


def english_sentences_in(text: str, code: str = "") -> list[str]:
    """The fixed parts of the English templates that ``text`` holds as words, but for those ``code`` holds too (a
    notebook's own English prints): parts of two words or more, one in lower case ("validation loss"), and the
    capitalised word that opens a message ("Loaded"); a Japanese output that says "EPOCHS" or "GPU" has none."""
    found = set()
    for entry in CATALOGUE.values():
        for index, (literal, *_) in enumerate(string.Formatter().parse(entry["en"])):
            part = literal.strip(" .,;:()—")
            words = len(part.split()) >= 2 and len(part) >= 6 and re.search("[a-z]{2}", part)  # not "+ 1) ="
            telling = words or (index == 0 and part.istitle() and " " not in part)
            if telling and part not in code and re.search(rf"(?<!\w){re.escape(part)}(?!\w)", text):
                found.add(part)
    return sorted(found)


@pytest.fixture(autouse=True)
def english_afterwards(monkeypatch):
    """Each test starts and ends in English, whatever the environment says, so no other test sees Japanese."""
    monkeypatch.delenv("CHAR_RNN_LANGUAGE", raising=False)
    set_language("en")
    yield
    set_language("en")


def japanese(text: str) -> bool:
    return re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text) is not None


def test_every_message_has_every_language():
    for key, entry in CATALOGUE.items():
        assert set(entry) == set(LANGUAGES), key
        assert all(isinstance(entry[language], str) and entry[language].strip() for language in LANGUAGES), key


def test_each_language_fills_in_the_same_placeholders():
    for key, entry in CATALOGUE.items():
        assert fields(entry["ja"]) == fields(entry["en"]), key


def test_no_japanese_message_keeps_an_english_sentence():
    assert {key: english_sentences_in(entry["ja"]) for key, entry in CATALOGUE.items() if english_sentences_in(entry["ja"])} == {}


def test_every_parameter_says_what_it_allows_and_every_key_is_used():
    own_text = {f"params.{name}" for name, rule in RULES.items() if rule.at_least is None}
    assert own_text == {key for key in CATALOGUE if re.fullmatch(r"params\.[A-Z_]+", key)}
    code = "".join(path.read_text() for path in (PROJECT_ROOT / "helpers").glob("*.py"))
    unused = [key for key in set(CATALOGUE) - own_text if f'"{key}"' not in code]
    assert unused == [], "keys no code uses: delete them"


def test_a_language_other_than_english_or_japanese_is_refused_in_both():
    with pytest.raises(LanguageError, match=r"^language='fr' is not a language of these notebooks' messages: "
                                            r"use 'en' \(English\) or 'ja' \(Japanese\)\. / language='fr' は"):
        set_language("fr")
    assert message("setup.accelerator", device="x") == "Accelerator: x"  # the language chosen before stays


def test_the_environment_variable_overrides_the_notebooks_choice(monkeypatch):
    set_language("ja")
    monkeypatch.setenv("CHAR_RNN_LANGUAGE", "en")
    assert message("setup.accelerator", device="x") == "Accelerator: x"
    set_language("en")
    monkeypatch.setenv("CHAR_RNN_LANGUAGE", "ja")
    assert message("setup.accelerator", device="x") == "アクセラレータ: x"  # before setup() too: a papermill run's checks
    monkeypatch.setenv("CHAR_RNN_LANGUAGE", "de")
    with pytest.raises(LanguageError, match="^CHAR_RNN_LANGUAGE='de' is not a language"):
        message("setup.accelerator", device="x")


def raised(call) -> str:
    with pytest.raises((ParameterError, VocabError)) as error:
        call()
    return str(error.value)


@pytest.mark.parametrize("call, english", [
    (lambda: check_value("EPOCHS", 0), "EPOCHS=0 is not allowed: EPOCHS must be a whole number of at least 1."),
    (lambda: check_value("RNN_TYPE", "rnn"), "RNN_TYPE='rnn' is not allowed: RNN_TYPE must be 'gru' or 'lstm'."),
    (lambda: check_value("EPOCH", 5), "EPOCH is not a parameter of these notebooks. Did you mean EPOCHS? Known: EPOCHS, "),
    (lambda: Vocab.from_text("abc").encode("Café", "START_STRING"),
     "START_STRING has characters not in the vocabulary: 'C', 'f', 'é' — the model knows 3 characters; "
     "use only those (vocab.chars lists them)."),
])
def test_an_error_reads_in_the_chosen_language(call, english):
    assert raised(call).startswith(english)
    set_language("ja")
    text = raised(call)
    assert japanese(text) and english_sentences_in(text) == [], text
    assert english_sentences_in(english) != []  # the check would see the English


def test_resuming_is_said_in_the_chosen_language(tiny, vocab, tmp_path, capsys):
    from helpers.rundir import checkpoint_path, save_run, save_weights_atomically
    from helpers.training import resume

    model = tiny[0]
    model.optimizer.build(model.trainable_variables)  # a checkpoint with Adam's state, as training writes it
    save_run(tmp_path, model, vocab)
    save_weights_atomically(model, checkpoint_path(tmp_path, 1))
    assert resume(model, tmp_path, 3) == 1
    assert capsys.readouterr().out == f"Resuming {tmp_path} after epoch 1 of 3.\n"
    set_language("ja")
    resume(model, tmp_path, 3)
    out = capsys.readouterr().out
    assert out == f"{tmp_path} の訓練を、全 3 エポックのうちエポック 1 の後から再開します。\n"
    assert english_sentences_in(out) == []


def test_setup_and_the_epoch_line_speak_the_language_setup_was_given(capsys):
    import helpers
    from helpers.progress import Progress

    helpers.setup()
    english = capsys.readouterr().out
    progress = Progress(3, None)
    progress.begin_epoch(1)
    progress.end_epoch(1, 2.0, 1.5)
    assert capsys.readouterr().out.startswith("Epoch 1/3 · 0 s · training loss 2.000 · validation loss 1.500 (2.16 bits/char")
    helpers.setup("ja")
    assert capsys.readouterr().out.startswith("アクセラレータ: ") and english.startswith("Accelerator: ")
    progress.begin_epoch(1)
    progress.end_epoch(1, 2.0, 1.5)
    out = capsys.readouterr().out
    assert out.startswith("エポック 1/3 · 0 秒 · 訓練損失 2.000 · 検証損失 1.500（2.16 ビット/文字") and english_sentences_in(out) == []
