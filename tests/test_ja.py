"""The Japanese edition (scripts/ja.py, `make ja`): notebooks/ja/ is built from the English notebooks and
the catalogue, refuses stale translations, changes no code and no number, uses the glossary, and runs.

Its code is the English program, its comments and strings aside (test_translations_change_only_comments_and_strings), and its outputs
are the English smoke run's to reproduce, so one of its notebooks is run here, at smoke scale: enough
to catch what the edition can break on its own (a notebook that does not load or run from
notebooks/ja/, cells that nbval cannot match by id)."""

from __future__ import annotations

import json
import re

import pytest
from test_messages import english_sentences_in
from test_notebooks import code_cells, nbval

from scripts import ja


def test_make_ja_rebuilds_the_committed_notebooks_byte_for_byte():
    for name in ja.NOTEBOOKS:
        built = ja.notebook_text(ja.build(name))
        assert (ja.JA_DIR / f"{name}.ipynb").read_text() == built, f"notebooks/ja/{name}.ipynb is not what `make ja` builds"


def test_a_changed_english_cell_is_named_stale_and_its_notebook_is_not_written(tmp_path, monkeypatch, capsys):
    english = tmp_path / "notebooks"
    (english / "ja").mkdir(parents=True)
    for name in ja.NOTEBOOKS:
        (english / f"{name}.ipynb").write_text((ja.NOTEBOOK_DIR / f"{name}.ipynb").read_text())
    nb = ja.english("05_generate")
    index, cell = next((i, c) for i, c in enumerate(nb["cells"], 1) if c["cell_type"] == "markdown" and i > 1)
    cell["source"] = [*cell["source"], "\n\nA sentence the translation does not have yet."]
    (english / "05_generate.ipynb").write_text(ja.notebook_text(nb))
    monkeypatch.setattr(ja, "NOTEBOOK_DIR", english)
    monkeypatch.setattr(ja, "JA_DIR", english / "ja")

    assert ja.main(["build"]) == 1
    err = capsys.readouterr().err
    assert f"05_generate cell {index} (markdown, id {cell['id']}): stale" in err
    assert err.count("stale") == 1, err
    assert not (english / "ja" / "05_generate.ipynb").exists()
    assert (english / "ja" / "04_fit.ipynb").exists()  # the others are current, and written


def test_a_missing_or_empty_translation_is_named():
    nb, catalogue = ja.english("01_vectorize"), ja.load_catalogue("01_vectorize")
    first, second, *_ = catalogue
    catalogue = {**catalogue, second: {**catalogue[second], "ja": None}}
    del catalogue[first]
    found = ja.problems("01_vectorize", nb, catalogue)
    assert [p.split(": ", 1)[1][:15] for p in found] == ["missing; 'pytho", "not translated "], found


def test_the_same_english_is_translated_the_same_everywhere():
    known = ja.memory()  # the setup, parameters and exercise cells recur in every notebook
    for name in ja.NOTEBOOKS:
        for cell_id, entry in ja.load_catalogue(name).items():
            assert entry["ja"] == known[entry["en"]], f"{name} {cell_id}: another notebook translates the same English otherwise"


def test_translations_change_only_comments_and_strings():
    for name in ja.NOTEBOOKS:
        catalogue = ja.load_catalogue(name)
        for cell in code_cells(ja.english(name)):
            if cell["id"] in catalogue:
                assert ja.code_problem(ja.source_of(cell), catalogue[cell["id"]]["ja"]) is None, (name, cell["id"])
                assert catalogue[cell["id"]]["ja"] != ja.source_of(cell), (name, cell["id"])  # translated, not copied


def test_a_translation_that_changes_code_is_refused():
    nb, catalogue = ja.english("03_build"), ja.load_catalogue("03_build")
    cell = next(c for c in code_cells(nb) if c["id"] in catalogue)
    changed = catalogue[cell["id"]]["ja"].replace("=", "= 1 +", 1)
    found = ja.problems("03_build", nb, {**catalogue, cell["id"]: {**catalogue[cell["id"]], "ja": changed}})
    assert found == [f"03_build cell {nb['cells'].index(cell) + 1} (code, id {cell['id']}): "
                     "the translation changes the code, not only its comments and strings"]


def test_docstrings_and_labels_may_become_japanese_and_nothing_else_changes():
    en = ('def f(x):\n    """Twice x."""\n    return x * 2\n\n\n'
          'ax.set_title(f"{n} steps of {name}", color="tab:red")\nif kind == "state":\n    ax.text(0, 0, "state")\n')
    assert ja.docstrings(en.replace("Twice x.", "x の 2 倍。")) == ["x の 2 倍。"]
    labelled = en.replace("Twice x.", "x の 2 倍。").replace('f"{n} steps of {name}"', 'f"{name} の {n} ステップ"')
    assert ja.code_problem(en, labelled) is None  # an f-string's values may move, as Japanese word order wants
    assert ja.code_problem(en, en.replace('"state"', '"状態"')) is None  # the key and the test of it, alike
    assert ja.code_problem(en, en.replace('ax.text(0, 0, "state")', 'ax.text(0, 0, "状態")')) == (
        "the string 'state' is translated two ways in one cell: 'state' and '状態'")
    assert ja.code_problem(en, en.replace('"tab:red"', '"tab:blue"')) == (
        "the string 'tab:red' becomes 'tab:blue': a string the translation changes must become Japanese")
    assert ja.code_problem(en, en.replace("{n} steps", "{n + 1} ステップ")) == (
        "the translation changes the code, not only its comments and strings")
    assert ja.code_problem(en, en.replace("x * 2", "x * 3")) == "the translation changes the code, not only its comments and strings"
    setup = "import helpers\n\nhelpers.setup()  # names the accelerator\n"
    assert ja.code_problem(setup, setup.replace("()", '("ja")')) is None
    assert ja.code_problem(setup, setup) == """the setup cell's translation calls helpers.setup("ja"), so that helpers speaks Japanese"""
    assert ja.code_problem(en, en + 'helpers.setup("ja")\n') == "the translation changes the code, not only its comments and strings"


def test_every_translation_uses_the_glossary():
    assert len(ja.glossary()) >= 30
    for name in ja.NOTEBOOKS:
        for where, cell, translation in ja.translated_cells(name):
            en, ja_text = ja.text_of(cell, ja.source_of(cell)), ja.text_of(cell, translation)
            assert ja.glossary_problems(en, ja_text) == [], where
            assert ja.variant_problems(ja_text) == [], where


def test_the_glossary_check_names_a_missing_term():
    assert ja.glossary_problems("Each epoch lowers the `loss` and the loss.", "各エポックで下がります") == [
        "uses 'loss', so the translation needs '損失'"]
    assert ja.glossary_problems("See `model.fit`.", "`model.fit` を参照") == []  # code is not prose


def test_a_unit_of_measure_needs_tan_i_and_an_rnn_unit_still_needs_yunitto():
    measure = "A loss is in *bits per character*, the unit compression uses."
    assert ja.glossary_problems(measure, "損失は*文字あたりのビット数*で、圧縮で使われる単位です。") == []
    assert ja.glossary_problems(measure, "損失は*文字あたりのビット数*で、圧縮で使われるユニットです。") == [
        "uses 'the unit compression uses', so the translation needs '単位'"]
    assert ja.glossary_problems("A GRU of 512 units.", "512 単位の GRU。") == [
        "uses 'units', so the translation needs 'ユニット'"]


def test_the_glossary_check_names_a_rejected_variant():
    assert ja.variant_problems("ノートブック 05 が劇を書きます。") == ["uses '劇': the glossary's term is '戯曲'"]
    assert ja.variant_problems("悲劇と喜劇を書いた劇作家の戯曲。") == []  # other words that hold 劇
    assert ja.variant_problems('CPU では fused GRU') == ["uses 'fused': the glossary's term is '融合'"]
    assert ja.variant_problems('CPU では融合 GRU。または "fused"、`GRU_IMPL = "fused"`') == []  # values, code


def test_every_number_of_a_markdown_cell_is_the_english_one():
    for name in ja.NOTEBOOKS:
        for where, cell, translation in ja.translated_cells(name):
            if cell["cell_type"] == "markdown":
                assert ja.number_problems(ja.source_of(cell), translation) == [], where


def test_the_numbers_check_sees_a_changed_number():
    assert ja.numbers("1,115,394 characters, 65 unique, loss 1.25") == ["1.25", "1115394", "65"]
    assert ja.numbers("1,115,394 文字、65 種類、損失 1.52") != ja.numbers("1,115,394 characters, 65 unique, loss 1.25")


def test_the_numbers_check_takes_digits_for_an_english_number_word_and_no_other_change():
    en = "The model has three layers and 65 outputs."
    assert ja.number_problems(en, "モデルには 3つのレイヤーと 65 個の出力があります。") == []
    assert ja.number_problems(en, "モデルには三つのレイヤーと 65 個の出力があります。") == []
    assert ja.number_problems(en, "モデルには 4つのレイヤーと 65 個の出力があります。") != []  # a changed number
    assert ja.number_problems(en, "モデルには 3つのレイヤーと 66 個の出力があります。") != []
    assert ja.number_problems(en, "モデルには 3つのレイヤーと 3 個の出力があります。") != []  # 65 dropped
    assert ja.number_problems("Two layers.", "2つのレイヤーを 2 回。") != []  # one "two", not two


def test_an_english_comment_line_has_one_translation_everywhere():
    known = ja.comment_lines()
    for name in ja.NOTEBOOKS:
        for where, cell, translation in ja.translated_cells(name):
            if cell["cell_type"] == "code":
                for en, line in zip(ja.comments(ja.source_of(cell)), ja.comments(translation)):
                    assert line == known[en], f"{where}: {en!r} is translated {known[en]!r} elsewhere, here {line!r}"


def test_every_markdown_cell_is_in_japanese_and_each_badge_opens_the_japanese_notebook():
    kana = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")  # kana or kanji
    for name in ja.NOTEBOOKS:
        for where, cell, translation in ja.translated_cells(name):
            assert cell["cell_type"] == "code" or kana.search(translation), f"{where} has no Japanese"
        first = "".join(ja.build(name)["cells"][0]["source"])
        assert f"/blob/main/notebooks/ja/{name}.ipynb)" in first, f"{name}: the Colab badge must open notebooks/ja/"


def test_the_japanese_notebooks_ran_in_japanese_and_no_figure_lacks_a_glyph():
    """Their outputs are their own run's: helpers spoke Japanese there, and matplotlib drew every character of every
    label (it warns "Glyph … missing from font(s)" where it draws an empty box instead)."""
    for name in ja.NOTEBOOKS:
        cells = code_cells(json.loads((ja.JA_DIR / f"{name}.ipynb").read_text()))
        printed = "".join("".join(out.get("text", "")) for cell in cells for out in cell["outputs"])
        assert "アクセラレータ: " in printed and "missing from font" not in printed, name


@pytest.mark.end_to_end
def test_a_japanese_notebook_runs_and_reproduces_its_outputs(corpus_path, tmp_path):
    from scripts import runner

    notebook = "01_vectorize"  # the quickest, yet printed lines, a figure and solutions
    runner.execute(notebook, runner.parameters_for(notebook, runner.load_profile("smoke"), tmp_path), tmp_path, ja.JA_DIR)
    result = nbval([ja.JA_DIR / f"{notebook}.ipynb"], tmp_path)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert f"{len(code_cells(ja.english(notebook)))} passed" in result.stdout
    cells = code_cells(json.loads((tmp_path / f"{notebook}.ipynb").read_text()))
    printed = "\n".join("".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", ""))
                        for cell in cells for out in cell["outputs"])
    assert "アクセラレータ: " in printed  # helpers speaks Japanese here...
    assert english_sentences_in(printed, "\n".join(ja.source_of(c) for c in cells)) == []  # ...and only Japanese
