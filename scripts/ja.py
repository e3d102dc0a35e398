"""The Japanese edition: notebooks/ja/ built from the English notebooks and a translation catalogue.

    .venv/bin/python -m scripts.ja build       (make ja) write notebooks/ja/*.ipynb
    .venv/bin/python -m scripts.ja check [NB]  list every problem, the glossary's and the numbers' included
    .venv/bin/python -m scripts.ja skeleton    give every cell without a translation an empty entry

CONTRIBUTING.md (The Japanese edition) says how the catalogue and the checks work.
"""

from __future__ import annotations

import ast
import copy
import io
import json
import re
import sys
import tokenize
from collections import Counter
from pathlib import Path

import yaml

from helpers.data import sha256_of
from scripts.runner import NOTEBOOK_DIR, NOTEBOOKS

JA_DIR = NOTEBOOK_DIR / "ja"
CATALOGUE_DIR = JA_DIR / "catalogue"
GLOSSARY = JA_DIR / "GLOSSARY.md"


def source_of(cell: dict) -> str:
    return "".join(cell["source"])


def source_hash(source: str) -> str:
    return sha256_of(source.encode())[:12]


def _tokens(source: str) -> list[tokenize.TokenInfo]:
    return list(tokenize.generate_tokens(io.StringIO(source + "\n").readline))


def comments(source: str) -> list[str]:
    """The comments of a code cell, in order."""
    return [t.string for t in _tokens(source) if t.type == tokenize.COMMENT]


def docstrings(source: str) -> list[str]:
    """The docstrings of a code cell (the cell's own, its functions' and classes'): translated like comments."""
    nodes = [node for node in ast.walk(ast.parse(source))
             if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    return [text for text in (ast.get_docstring(node, clean=False) for node in nodes) if text]


class _Shape(ast.NodeTransformer):
    """A syntax tree with each string (a docstring, a label, an f-string) set aside, an f-string's values kept."""

    def __init__(self) -> None:
        self.strings: list[str] = []

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if isinstance(node.value, str):
            self.strings.append(node.value)
            return ast.Constant("<string>")
        return node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        self.strings.append(ast.unparse(node))  # the values it fills in may move: Japanese puts words in another order
        filled = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                value.value = self.visit(value.value)  # a string inside the braces may change like any other
                filled.append(ast.dump(value))
        filled.sort()
        return ast.Constant(f"<string {' '.join(filled)}>")


def shape(source: str) -> tuple[str, list[str]]:
    """A code cell's program without its comments and the text of its strings, and those strings in order."""
    shaper = _Shape()
    return ast.dump(shaper.visit(ast.parse(source))), shaper.strings


JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")  # kana and kanji


# The one change a translation makes to the code: its setup cell chooses Japanese messages and figures.
SETUP = ("helpers.setup()", 'helpers.setup("ja")')


def code_problem(en: str, ja: str) -> str | None:
    """Why ``ja`` is not the code of cell ``en`` with only its comments and strings translated, or None.

    A string may change only to Japanese, and the same way wherever it recurs in the cell (a dictionary's key and
    the test of it): a label becomes Japanese, a value the code uses ("tab:red", "center") stays as it is."""
    if SETUP[0] in en:
        if SETUP[1] not in ja:
            return f"the setup cell's translation calls {SETUP[1]}, so that helpers speaks Japanese"
        ja = ja.replace(SETUP[1], SETUP[0])
    (en_shape, en_strings), (ja_shape, ja_strings) = shape(en), shape(ja)
    if en_shape != ja_shape:
        return "the translation changes the code, not only its comments and strings"
    chosen: dict[str, str] = {}
    for was, now in zip(en_strings, ja_strings):
        if was != now and not JAPANESE.search(now):
            return f"the string {was!r} becomes {now!r}: a string the translation changes must become Japanese"
        if chosen.setdefault(was, now) != now:
            return f"the string {was!r} is translated two ways in one cell: {chosen[was]!r} and {now!r}"
    return None


def translated_strings(en: str, ja: str) -> tuple[str, str]:
    """The strings of a code cell that its translation changes, in English and in Japanese (for the glossary)."""
    pairs = [(was, now) for was, now in zip(shape(en)[1], shape(ja)[1]) if was != now]
    return "\n".join(was for was, _ in pairs), "\n".join(now for _, now in pairs)


def translatable(cell: dict) -> bool:
    """A cell with words to translate: markdown, or code with comments or docstrings. A code cell whose only words are
    its strings (a figure's title) may have an entry too."""
    return cell["cell_type"] == "markdown" or (cell["cell_type"] == "code" and bool(text_of(cell, source_of(cell))))


def has_entry(cell: dict, catalogue: dict) -> bool:
    return translatable(cell) or (cell["cell_type"] == "code" and cell["id"] in catalogue and bool(shape(source_of(cell))[1]))


def english(name: str) -> dict:
    return json.loads((NOTEBOOK_DIR / f"{name}.ipynb").read_text())


def catalogue_path(name: str) -> Path:
    return CATALOGUE_DIR / f"{name}.yaml"


def load_catalogue(name: str) -> dict:
    path = catalogue_path(name)
    return (yaml.safe_load(path.read_text()) or {}) if path.exists() else {}


def _block(text: str, indent: str) -> str:
    """``text`` as a YAML literal block, its lines under ``indent``."""
    chomp = "+" if text.endswith("\n") else "-"
    lines = text[:-1].split("\n") if text.endswith("\n") else text.split("\n")
    return f"|{len(indent) - 2}{chomp}\n" + "".join(f"{indent}{line}\n" if line else "\n" for line in lines)


def dump_catalogue(name: str, entries: dict) -> str:
    """The catalogue as YAML, one entry per cell in the English notebook's order, translations as literal blocks."""
    out = [f"# The Japanese translation of notebooks/{name}.ipynb, one entry per cell: see scripts/ja.py.\n"]
    for cell_id, entry in entries.items():
        out.append(f'"{cell_id}":\n  en: "{entry["en"]}"\n')  # quoted: an id or hash of digits is still a string
        ja = entry.get("ja")
        out.append("  ja: null\n" if ja is None else "  ja: " + _block(ja, "    "))
    text = "".join(out)
    assert yaml.safe_load(text) == entries, f"{name}: the catalogue would not read back as written"
    return text


def problems(name: str, nb: dict | None = None, catalogue: dict | None = None) -> list[str]:
    """What stops ``build`` from writing notebook ``name``: one line per cell."""
    nb = english(name) if nb is None else nb
    catalogue = load_catalogue(name) if catalogue is None else catalogue
    found, ids = [], set()
    for index, cell in enumerate(nb["cells"], 1):
        if not has_entry(cell, catalogue):
            continue
        ids.add(cell["id"])
        where = f"{name} cell {index} ({cell['cell_type']}, id {cell['id']})"
        entry = catalogue.get(cell["id"])
        if entry is None:
            found.append(f"{where}: missing; 'python -m scripts.ja skeleton' adds an entry to translate")
        elif entry.get("ja") is None or not str(entry["ja"]).strip():
            found.append(f"{where}: not translated yet")
        elif entry.get("en") != source_hash(source_of(cell)):
            found.append(f"{where}: stale, the English cell changed since it was translated; translate it again "
                         f"and set en: {source_hash(source_of(cell))}")
        elif cell["cell_type"] == "code" and (problem := code_problem(source_of(cell), entry["ja"])):
            found.append(f"{where}: {problem}")
    found += [f"{name}: entry {cell_id} matches no English cell with text; delete it" for cell_id in catalogue
              if cell_id not in ids]
    return found


def build(name: str) -> dict:
    """The Japanese notebook: the English one with each translated cell's source from the catalogue, and the outputs of
    the Japanese notebook's own last run. A code cell whose source differs from that run's has none until the notebook
    runs again (`make execute EDITION=ja`): the Japanese edition prints and draws in Japanese, so the English
    outputs are not its own."""
    nb, catalogue = english(name), load_catalogue(name)
    found = problems(name, nb, catalogue)
    if found:
        raise ValueError("\n".join(found))
    ja = copy.deepcopy(nb)
    path = JA_DIR / f"{name}.ipynb"
    last = json.loads(path.read_text()) if path.exists() else {"cells": [], "metadata": ja["metadata"]}
    ran = {cell["id"]: cell for cell in last["cells"]}
    ja["metadata"] = last["metadata"]
    for cell in ja["cells"]:
        if has_entry(cell, catalogue):
            cell["source"] = catalogue[cell["id"]]["ja"].splitlines(keepends=True)
        if cell["cell_type"] != "code":
            continue
        cell["metadata"].pop("execution", None)  # the English run's timings
        before = ran.get(cell["id"])
        if before is not None and source_of(before) == source_of(cell):
            cell.update(outputs=before["outputs"], execution_count=before["execution_count"])
            if "execution" in before["metadata"]:
                cell["metadata"]["execution"] = before["metadata"]["execution"]
        else:
            cell.update(outputs=[], execution_count=None)
    return ja


def notebook_text(nb: dict) -> str:
    """A notebook as Jupyter writes it, byte for byte."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


# --- the glossary and the numbers (tests/test_ja.py; `check` reports them too) ---

def _table(header: str) -> list[list[str]]:
    """The rows of the GLOSSARY.md table whose header row starts with the cell ``header``."""
    rows, current = [], None
    for line in GLOSSARY.read_text().splitlines():
        cells = [c.strip() for c in line.strip().removeprefix("|").removesuffix("|").split("|")]
        if not line.startswith("|"):
            current = None
        elif current is None:
            current = cells[0]
        elif current == header and not cells[0].startswith("---"):
            rows.append(cells)
    return rows


def _listed(cell: str) -> list[str]:
    return [item.strip() for item in cell.split(",") if item.strip()]


def glossary() -> list[tuple[list[str], str]]:
    """The glossary's terms: the English forms, and the one Japanese term for them."""
    return [(_listed(forms), term) for forms, term in _table("English")]


def senses() -> list[tuple[str, str]]:
    """The English phrases that use a term's word in another sense, and their Japanese term."""
    return [(phrase, term) for phrase, term in _table("English phrase")]


def variants() -> list[tuple[str, list[str], list[str]]]:
    """The rejected variants: the term to use, the variants no translation may use, the words that hold a
    variant and are still fine (劇 is rejected, 悲劇 is not)."""
    return [(term, _listed(rejected), _listed(allowed)) for term, rejected, allowed in _table("Use 使う")]


def prose(markdown: str) -> str:
    """Markdown without what is not translated: code, links' targets, formulas and HTML tags."""
    for pattern in (r"```.*?```", r"`[^`]*`", r"\]\([^)]*\)", r"https?://\S+", r"\$\$.*?\$\$", r"\$[^$]*\$",
                    r"<[^>]+>"):
        markdown = re.sub(pattern, " ", markdown, flags=re.S)
    return markdown


def glossary_problems(en: str, ja: str) -> list[str]:
    """One line for each glossary term the English text uses and its translation does not."""
    text, found = prose(en), []
    for phrase, term in senses():
        pattern = rf"(?<![\w-]){re.escape(phrase)}(?![\w-])"
        if re.search(pattern, text, re.I):
            text = re.sub(pattern, " ", text, flags=re.I)  # its words are not the single-word terms
            if term not in ja:
                found.append(f"uses {phrase!r}, so the translation needs {term!r}")
    for forms, term in glossary():
        used = [f for f in forms if re.search(rf"(?<![\w-]){re.escape(f)}(?![\w-])", text, re.I)]
        if used and term not in ja:
            found.append(f"uses {used[0]!r}, so the translation needs {term!r}")
    return found


def variant_problems(ja: str) -> list[str]:
    """One line for each variant the glossary rejects that a translation uses, outside code and quoted values."""
    text, found = re.sub(r'"[^"\n]*"', " ", prose(ja)), []
    for term, rejected, allowed in variants():
        rest = text
        for word in allowed:
            rest = rest.replace(word, " ")
        found += [f"uses {variant!r}: the glossary's term is {term!r}" for variant in rejected
                  if re.search(rf"(?<![A-Za-z]){re.escape(variant)}(?![A-Za-z])", rest)]
    return found


# The English number words a translation may write in digits, and those digits ("a quarter": 4 分の 1).
NUMBER_WORDS = {word: (str(n),) for n, word in enumerate(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen twenty".split(), 1)}
NUMBER_WORDS |= {word: (str(n),) for n, word in enumerate("first second third fourth fifth sixth seventh eighth ninth".split(), 1)}
NUMBER_WORDS |= {"thirty": ("30",), "forty": ("40",), "fifty": ("50",), "sixty": ("60",), "seventy": ("70",),
                 "eighty": ("80",), "ninety": ("90",), "hundred": ("100",), "thousand": ("1000",), "single": ("1",),
                 "once": ("1",), "twice": ("2",), "quarter": ("4", "1"), "tenth": ("10", "1")}


def numbers(text: str) -> list[str]:
    """The numbers written in ``text``, sorted, thousands separators dropped (1,115,394 -> 1115394)."""
    return sorted(n.replace(",", "") for n in re.findall(r"\d+(?:,\d{3})*(?:\.\d+)?", text))


def number_problems(en: str, ja: str) -> list[str]:
    """The numbers of a markdown cell's translation are the English ones, and maybe digits for the English
    number words ("three layers": 3つのレイヤー); no number changed, none dropped, none added."""
    en_numbers, ja_numbers = Counter(numbers(en)), Counter(numbers(ja))
    words = Counter(d for word in re.findall(r"[A-Za-z]+", prose(en)) for d in NUMBER_WORDS.get(word.lower(), ()))
    if en_numbers - ja_numbers or (ja_numbers - en_numbers) - words:
        return [f"numbers differ: English {numbers(en)}, Japanese {numbers(ja)}"]
    return []


def text_of(cell: dict, source: str) -> str:
    """What a cell says in words: a markdown cell's text, a code cell's comments and docstrings."""
    return source if cell["cell_type"] == "markdown" else "\n".join(comments(source) + docstrings(source))


def translated_cells(name: str) -> list[tuple[str, dict, str]]:
    """(where, English cell, its translation) for each cell of ``name`` the catalogue translates."""
    catalogue, found = load_catalogue(name), []
    for index, cell in enumerate(english(name)["cells"], 1):
        entry = catalogue.get(cell["id"]) or {}
        if has_entry(cell, catalogue) and entry.get("ja"):
            found.append((f"{name} cell {index} (id {cell['id']})", cell, entry["ja"]))
    return found


def comment_lines() -> dict[str, str]:
    """Each English comment line's translation, the first in the notebooks' order."""
    found = {}
    for name in NOTEBOOKS:
        for _, cell, ja in translated_cells(name):
            if cell["cell_type"] == "code":
                for en_line, ja_line in zip(comments(source_of(cell)), comments(ja)):
                    found.setdefault(en_line, ja_line)
    return found


def content_problems(name: str) -> list[str]:
    """The glossary on every translated cell, the numbers on every markdown cell, one translation for each
    English comment line."""
    found, known = [], comment_lines()
    for where, cell, ja in translated_cells(name):
        en_text, ja_text = text_of(cell, source_of(cell)), text_of(cell, ja)
        if cell["cell_type"] == "code":
            en_strings, ja_strings = translated_strings(source_of(cell), ja)
            en_text, ja_text = f"{en_text}\n{en_strings}", f"{ja_text}\n{ja_strings}"
        found += [f"{where}: {p}" for p in glossary_problems(en_text, ja_text) + variant_problems(ja_text)]
        if cell["cell_type"] == "markdown":
            found += [f"{where}: {p}" for p in number_problems(en_text, ja_text)]
        else:
            found += [f"{where}: the comment {en!r} is translated {known[en]!r} elsewhere, here {line!r}"
                      for en, line in zip(comments(source_of(cell)), comments(ja)) if line != known[en]]
    return found


def memory() -> dict[str, str]:
    """Each English text's translation, by its hash: the setup, parameters and exercise cells recur in every notebook."""
    found = {}
    for name in NOTEBOOKS:
        for entry in load_catalogue(name).values():
            if entry.get("ja"):
                found.setdefault(entry["en"], entry["ja"])
    return found


def skeleton(name: str) -> None:
    """Rewrite the catalogue in the notebook's order, with an entry for each cell that has none: the
    translation of the same English elsewhere if there is one, else empty."""
    catalogue, known = load_catalogue(name), memory()
    entries = {}
    for cell in english(name)["cells"]:
        if translatable(cell):
            digest = source_hash(source_of(cell))
            entries[cell["id"]] = catalogue.get(cell["id"]) or {"en": digest, "ja": known.get(digest)}
    entries.update({k: v for k, v in catalogue.items() if k not in entries})  # kept, for `check` to name
    CATALOGUE_DIR.mkdir(parents=True, exist_ok=True)
    catalogue_path(name).write_text(dump_catalogue(name, entries))


def main(argv: list[str]) -> int:
    command, names = (argv[0] if argv else "build"), [n.removesuffix(".ipynb") for n in argv[1:]] or NOTEBOOKS
    if command == "skeleton":
        for name in names:
            skeleton(name)
        return 0
    if command == "check":
        found = [p for name in names for p in problems(name) + content_problems(name)]
        print("\n".join(found) or f"{len(names)} notebook(s): every translation is present, current and checked")
        return 1 if found else 0
    if command != "build":
        print(__doc__)
        return 2
    failed = 0
    for name in names:
        try:
            (JA_DIR / f"{name}.ipynb").write_text(notebook_text(build(name)))
        except ValueError as error:
            failed += 1
            print(f"notebooks/ja/{name}.ipynb not written:\n{error}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
