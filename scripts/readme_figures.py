"""Write the documents' figures (README.md, WORKSHOP.md, docs/) from records/, pretrained/'s history and
provenance, and the committed notebooks' cell timings and exercises (CONTRIBUTING: Figures and records).
Each section is a table: the sentences around it live in the documents.

    .venv/bin/python -m scripts.readme_figures
"""

from __future__ import annotations

import json
from pathlib import Path

import helpers

helpers.quiet_tensorflow()  # helpers.rundir imports Keras
from helpers.pretrained import PRETRAINED_DIR as PRETRAINED, pretrained_info  # noqa: E402
from helpers.progress import bits_per_char  # noqa: E402
from helpers.rundir import best_of  # noqa: E402
from scripts.runner import NOTEBOOK_DIR, NOTEBOOKS  # noqa: E402
from scripts import records  # noqa: E402
from scripts.records import QUALITY, minutes, notebook_seconds, tutorial_row  # noqa: E402
from scripts.readme import write_section  # noqa: E402
from scripts import recorded_times  # noqa: E402
from scripts.recorded_times import RUN_RECORDS  # noqa: E402

# Row names and column headers, in each language of the documents.
LABELS = {
    "en": {"epochs": ("epoch", "training loss", "validation loss", "seconds"),
           "best": ("best validation loss", "at epoch", "bits per character", "training", "processor × cores", "TensorFlow",
                    "Keras"),
           "pretrained": ("epoch of its run", "validation loss", "bits per character", "the tutorial's run above, validation loss",
                          "weights file"),
           "notebooks": ("notebook", "title", "CPU time of the committed run", "exercises"),
           "runs": ("command", "processor × cores", "date", "mean load", "time", "of it training", "best validation loss",
                    "tests"),
           "workshop": ("notebook", "seconds in `make run`")},
    "ja": {"epochs": ("エポック", "訓練損失", "検証損失", "秒"),
           "best": ("最良の検証損失", "エポック", "1 文字あたりのビット数", "訓練", "プロセッサ × コア数", "TensorFlow", "Keras"),
           "pretrained": ("その実行のエポック", "検証損失", "1 文字あたりのビット数", "上のチュートリアルどおりの実行の検証損失",
                          "重みのファイル"),
           "notebooks": ("ノートブック", "題名", "コミット済みの実行の CPU 時間", "演習"),
           "runs": ("コマンド", "プロセッサ × コア数", "日付", "平均負荷", "時間", "うち訓練", "最良の検証損失", "テスト"),
           "workshop": ("ノートブック", "`make run` での秒数")}}


def table(header, rows) -> str:
    """A Markdown table."""
    return "\n".join(["| " + " | ".join(map(str, header)) + " |", "|" + " --- |" * len(header),
                      *("| " + " | ".join(str(cell) for cell in row) + " |" for row in rows)])


def machine(record: dict) -> str:
    """A record's processor and cores, its kind read from its flags (quality.json's rows are not filed by kind)."""
    return recorded_times.machine(record, records.kind(record))


def _epoch_table(history: dict, language: str = "en") -> str:
    epoch, loss, val_loss, seconds = LABELS[language]["epochs"]
    return table([epoch, *history["epoch"]], [[loss, *(f"{v:.3f}" for v in history["loss"])],
                                              [val_loss, *(f"{v:.3f}" for v in history["val_loss"])],
                                              [seconds, *(f"{v:.0f}" for v in history["seconds"])]])


def _best(history: dict, machine_used: dict, language: str = "en") -> str:
    """A run's epoch table, then its best epoch and where it trained."""
    epoch, val_loss = best_of(history)
    row = [f"{val_loss:.3f}", epoch, f"{bits_per_char(val_loss):.2f}", minutes(sum(history["seconds"]), language),
           machine({"machine": machine_used}), machine_used["tensorflow"], machine_used["keras"]]
    return _epoch_table(history, language) + "\n\n" + table(LABELS[language]["best"], [row])


def fit_table(language: str = "en") -> str:
    """Every epoch's losses of the committed 04_fit's run, as `make notebooks` recorded it in quality.json's tutorial row."""
    tutorial = tutorial_row()
    return _best(tutorial["history"], tutorial["machine"], language)


def best_table() -> str:
    """Every epoch's losses of the run pretrained/ comes from."""
    return _best(json.loads((PRETRAINED / "history.json").read_text()), pretrained_info()["machine"])


def pretrained_summary(language: str = "en") -> str:
    info, size = pretrained_info(), (PRETRAINED / "model.weights.h5").stat().st_size / 1e6
    row = [info["epoch"], f"{info['val_loss']:.3f}", f"{bits_per_char(info['val_loss']):.2f}",
           f"{tutorial_row()['best_val_loss']:.3f}", f"{size:.1f} MB"]
    return table(LABELS[language]["pretrained"], [row])


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def bench_table() -> str:
    """records/bench.json, one table for each kind of processor it was measured on."""
    return "\n\n".join(f"**{kind}**\n\n{bench_record_table(bench)}" for kind, bench in records.read_kinds("bench").items())


def bench_record_table(bench: dict) -> str:
    """One bench record: each figure with its spread, its share of this machine's limit measured in the same run, and
    its ratio against the baseline (the old way of reading it); then the training step's products and the record's stamp."""
    rows = []
    for f in bench["figures"]:
        if "products" in f:  # the roofline itself: shown by the training rows' limit
            continue
        reached = f.get("fraction", f.get("ratio"))
        target = "" if f.get("target") is None else (
            f"{f['target']:.0%} of the limit" if "fraction" in f else f"{f['target']}×") + (
            " (met)" if reached >= f["target"] else " (missed)")
        rows.append([f["name"], f"{_number(f['value'])} {f['unit']}",
                     "" if f.get("spread") is None else f"{_number(f['spread'][0])}–{_number(f['spread'][1])}",
                     "" if f.get("limit") is None else f"{_number(f['limit'])} {f['unit']}",
                     "" if f.get("fraction") is None else f"{f['fraction']:.0%}",
                     "" if f.get("baseline") is None else f"{_number(f['baseline'])} {f['unit']}",
                     "" if f.get("ratio") is None else f"{f['ratio']:.2f}×", target])
    m, v = bench["machine"], bench["versions"]
    roof = next(f for f in bench["figures"] if "products" in f)
    stamp = [f"{roof['recurrent_gflop']:.1f}", f"{roof['batched_gflop']:.1f}", bench["date"][:10], machine(bench),
             ", ".join(m.get("cpu_flags", [])) or "not read", f"{bench['load']['mean']:.1f}", bench["commit"][:10],
             minutes(bench["seconds"]) if "seconds" in bench else "", v["python"], v["tensorflow"], v["keras"], v["numpy"]]
    return (table(["figure", "value", "min–max of the repeats", "limit here", "share of the limit", "baseline", "ratio",
                   "target"], rows) + "\n\n" +
            table(["recurrent GFLOP a step", "batched GFLOP a step", "date", "processor × cores", "flags", "mean load",
                   "commit", "in all", "Python", "TensorFlow", "Keras", "NumPy"], [stamp]))


def quality_table() -> str:
    """records/quality.json: one row per configuration actually trained."""
    rows = []
    for r in json.loads(QUALITY.read_text()):
        p = r["parameters"]
        model = (f"{p['RNN_TYPE'].upper()} {p['RNN_UNITS']} × {p['NUM_LAYERS']}, embedding {p['EMBEDDING_DIM']}, "
                 f"dropout {p['DROPOUT']}, batch {p['BATCH_SIZE']} × {p['SEQ_LENGTH']}, Adam {p['LEARNING_RATE']} "
                 f"{p.get('LR_SCHEDULE', 'constant')}" + (f", clip {p['CLIP_NORM']}" if p.get("CLIP_NORM") else "")
                 + (", state carried" if p.get("CARRY_STATE") else "")
                 + (f", {p['PRECISION']}" if p.get("PRECISION", "float32") != "float32" else ""))
        rows.append([r["name"], model, r["epochs"], f"{r['best_val_loss']:.4f}", f"{r['best_bits_per_char']:.2f}",
                     r["best_epoch"], f"{r['carried_val_loss']:.4f}", f"{r['training_seconds']:.0f} s on {machine(r)}",
                     f"`{r['command']}`"])
    return table(["name", "model", "epochs", "best validation loss", "bits per character", "at epoch",
                  "the same, state carried", "training", "command"], rows)


def notebook_rows(folder: Path = NOTEBOOK_DIR) -> list[tuple[str, str, float, int]]:
    """Each notebook's name, its title (its first heading, in that edition's language), the seconds the committed
    English run's cells took, and its exercises."""
    rows = []
    for name in NOTEBOOKS:
        cells = json.loads((NOTEBOOK_DIR / f"{name}.ipynb").read_text())["cells"]
        title = "".join(json.loads((folder / f"{name}.ipynb").read_text())["cells"][0]["source"]).splitlines()[0]
        exercises = sum("solution" in c["metadata"].get("tags", []) for c in cells)
        rows.append((name, title.lstrip("# ").split(". ", 1)[1], notebook_seconds(NOTEBOOK_DIR / f"{name}.ipynb"), exercises))
    return rows


def notebooks_table(language: str = "en") -> str:
    """Each notebook (of README.ja.md: the Japanese one): what it teaches, how long its committed run took, its exercises."""
    folder = "notebooks" if language == "en" else f"notebooks/{language}"
    return table(LABELS[language]["notebooks"],
                 [[f"[`{name}`]({folder}/{name}.ipynb)", title, minutes(seconds, language), exercises]
                  for name, title, seconds, exercises in notebook_rows(NOTEBOOK_DIR.parent / folder)])


def tests_summary(summary: str, language: str) -> str:
    """pytest's summary ("250 passed, 2 skipped") in the document's language."""
    if language == "en":
        return summary
    words = {"passed": "成功", "failed": "失敗", "skipped": "スキップ", "error": "エラー", "errors": "エラー"}
    return "、".join(f"{count} 件{words[word]}" for count, word in (part.split() for part in summary.split(", ")))


def runs_table(language: str = "en") -> str:
    """The recorded `make test` (from a fresh clone) and `make run`s, one row per kind of processor measured."""
    rows = []
    for command, name in RUN_RECORDS:
        for r in records.read_kinds(name).values():
            p = r.get("parameters", {})
            settings = f" ({p['RNN_TYPE'].upper()} {p['RNN_UNITS']}, EPOCHS={p['EPOCHS']}, {p['PRECISION']})" if p else ""
            trained = [f"{r['training_seconds']:.0f} {records.UNITS[language][1]}", f"{r['best_val_loss']:.3f}", ""] \
                if "training_seconds" in r else ["", "", tests_summary(r["pytest_summary"], language)]
            rows.append([f"`{command}`{settings}", machine(r), r["date"][:10], f"{r['load']['mean']:.1f}",
                         minutes(r["seconds"], language), *trained])
    return table(LABELS[language]["runs"], rows)


def sample() -> str:
    """The first lines of the workshop run's sample."""
    lines = records.read("make_run_workshop")["sample"].splitlines()
    return "```\n" + "\n".join(lines[:12]).rstrip() + "\n```"


def workshop_times(language: str = "en") -> str:
    """Each notebook's seconds in the newest recorded `make run` (workshop profile)."""
    run = records.read("make_run_workshop")
    notebook, seconds = LABELS[language]["workshop"]
    return table([notebook, f"{seconds}, {run['date'][:10]}, {machine(run)}"],
                 [[f"`{name}`", f"{s:.0f}"] for name, s in run["notebook_seconds"].items()])


def loss_by_position() -> str:
    """The held-out loss by a character's place in its window, and with the state carried, per recorded model."""
    rows = []
    for path in sorted(records.RECORDS.glob("loss_by_position_*.json")):
        r = records.read(path.stem)
        spans = r["spans"]
        cells = [f"{spans[k]:.4f}" if k in spans else "" for k in ("1-1", "2-5", "6-20", "21-50", "51-100", "101-200")]
        rows.append([r["model"], r["seq_length"], *cells, f"{r['windowed']:.4f}", f"{r['carried']:.4f}"])
    return table(["model", "windows of", "first character", "characters 2-5", "6-20", "21-50", "51-100", "101-200", "whole windows",
                  "state carried"], rows)


def compat_results() -> str:
    """`make test-compat`'s last record: each stack's versions, each part's counts and seconds; then the record's stamp."""
    run = records.read("make_test_compat")
    rows = []
    for stack, s in run["stacks"].items():
        v, parts = s["versions"], s["parts"]
        cells = [f"{p['passed']} passed" + "".join(f", {p[k]} {k}" for k in ("failed", "errors", "skipped") if p[k]) +
                 f" ({minutes(p['seconds'])})" for p in (parts["unit"], parts["notebooks"])]
        rows.append([f"`{stack}`", v["python"], v["tensorflow"], v["keras"], *cells, minutes(s["seconds"])])
    return (table(["stack", "Python", "TensorFlow", "Keras", "unit tests", "notebook tests", "in all"], rows) + "\n\n" +
            table(["every stack passed", "date", "processor × cores", "mean load", "commit"],
                  [["yes" if run["passed"] else "no", run["date"][:10], machine(run), f"{run['load']['mean']:.1f}",
                    run["commit"][:10]]]))


SECTIONS = {"sample-ja": sample, "fit-table-ja": lambda: fit_table("ja"), "pretrained-summary-ja": lambda: pretrained_summary("ja"),
            "commands-ja": lambda: runs_table("ja"), "notebooks-table-ja": lambda: notebooks_table("ja"),
            "workshop-times-ja": lambda: workshop_times("ja"),
            "fit-table": fit_table, "best-table": best_table, "bench-table": bench_table, "quality-table": quality_table,
            "notebooks-table": notebooks_table, "commands": runs_table, "sample": sample,
            "pretrained-summary": pretrained_summary, "workshop-times": workshop_times, "loss-by-position": loss_by_position,
            "compat-results": compat_results}


def main() -> None:
    for name, render in SECTIONS.items():
        write_section(name, render())


if __name__ == "__main__":
    main()
