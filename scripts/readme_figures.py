"""Write the documents' figures (README.md, WORKSHOP.md, docs/) from records/, pretrained/'s history and
provenance, and the committed notebooks' cell timings and exercises (CONTRIBUTING: Figures and records).

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
from scripts.records import QUALITY, minutes, notebook_seconds, processor, tutorial_row, where  # noqa: E402
from scripts.readme import write_section  # noqa: E402


# The epoch table's row names, in each language of the documents.
EPOCH_ROWS = {"en": ("epoch", "training loss", "validation loss", "seconds"),
              "ja": ("エポック", "訓練損失", "検証損失", "秒")}


def _epoch_table(history: dict, language: str = "en") -> str:
    epoch, loss, val_loss, seconds = EPOCH_ROWS[language]
    return "\n".join([
        f"| {epoch} | " + " | ".join(str(e) for e in history["epoch"]) + " |",
        "| --- |" + " --- |" * len(history["epoch"]),
        f"| {loss} | " + " | ".join(f"{v:.3f}" for v in history["loss"]) + " |",
        f"| {val_loss} | " + " | ".join(f"{v:.3f}" for v in history["val_loss"]) + " |",
        f"| {seconds} | " + " | ".join(f"{v:.0f}" for v in history["seconds"]) + " |"])


# The sentences under the epoch tables and under the pretrained model's, in each language of the documents.
SUMMARY = {
    "en": ("Best validation loss {val_loss:.3f} at epoch {epoch} ({bits:.2f} bits per character); {minutes:.0f} minutes of "
           "training on {processor}, TensorFlow {tensorflow}, Keras {keras}."),
    "ja": ("最良の検証損失は {val_loss:.3f}（エポック {epoch}、1 文字あたり {bits:.2f} ビット）。訓練は {minutes:.0f} 分、"
           "{cpu}（{kind}）の {cores} コア、TensorFlow {tensorflow}、Keras {keras}。")}
PRETRAINED_SUMMARY = {
    "en": ("It is epoch {epoch} of that run, validation loss {val_loss:.3f} ({bits:.2f} bits per character), against "
           "{tutorial:.3f} for the tutorial's own run above; its weights file is {size:.1f} MB."),
    "ja": ("その実行のエポック {epoch} で、検証損失は {val_loss:.3f}（1 文字あたり {bits:.2f} ビット）です。"
           "上のチュートリアルどおりの実行は {tutorial:.3f} でした。重みのファイルは {size:.1f} MB です。")}


def _summary(val_loss: float, epoch: int, seconds: float, machine: dict, language: str = "en") -> str:
    return SUMMARY[language].format(val_loss=val_loss, epoch=epoch, bits=bits_per_char(val_loss), minutes=seconds / 60,
                                    processor=processor(machine), kind=records.kind({"machine": machine}), **machine)


def fit_table(language: str = "en") -> str:
    """Every epoch's losses of the committed 04_fit's run, as `make notebooks` recorded it in quality.json's tutorial row."""
    tutorial = tutorial_row()
    history = tutorial["history"]
    epoch, val_loss = best_of(history)
    return (_epoch_table(history, language) + "\n\n" +
            _summary(val_loss, epoch, sum(history["seconds"]), tutorial["machine"], language))


def best_table() -> str:
    """Every epoch's losses of the run pretrained/ comes from."""
    history, info = json.loads((PRETRAINED / "history.json").read_text()), pretrained_info()
    return _epoch_table(history) + "\n\n" + _summary(info["val_loss"], info["epoch"], info["training_seconds"], info["machine"])


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def bench_table() -> str:
    """records/bench.json, one table for each kind of processor it was measured on."""
    return "\n\n".join(f"**{kind}**\n\n{bench_record_table(bench)}" for kind, bench in records.read_kinds("bench").items())


def bench_record_table(bench: dict) -> str:
    """One bench record as a table: each figure with its spread, its share of this machine's limit measured in
    the same run, and its ratio against the baseline (the old way of reading it)."""
    rows = ["| figure | value | min–max of the repeats | limit here | share of the limit | baseline | ratio | target |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for f in bench["figures"]:
        if "products" in f:  # the roofline itself: shown by the training rows' limit
            continue
        value = f"{_number(f['value'])} {f['unit']}"
        spread = "" if f.get("spread") is None else f"{_number(f['spread'][0])}–{_number(f['spread'][1])}"
        limit = "" if f.get("limit") is None else f"{_number(f['limit'])} {f['unit']}"
        share = "" if f.get("fraction") is None else f"{f['fraction']:.0%}"
        baseline = "" if f.get("baseline") is None else f"{_number(f['baseline'])} {f['unit']}"
        ratio = "" if f.get("ratio") is None else f"{f['ratio']:.2f}×"
        reached = f.get("fraction", f.get("ratio"))
        target = "" if f.get("target") is None else (
            f"{f['target']:.0%} of the limit" if "fraction" in f else f"{f['target']}×") + (
            " (met)" if reached >= f["target"] else " (missed)")
        rows.append(f"| {f['name']} | {value} | {spread} | {limit} | {share} | {baseline} | {ratio} | {target} |")
    m, v = bench["machine"], bench["versions"]
    roof = next(f for f in bench["figures"] if "products" in f)
    return "\n".join(rows) + (
        f"\n\nA training step's limit: {roof['recurrent_gflop']:.1f} GFLOP of recurrent products (one time step after "
        f"another) and {roof['batched_gflop']:.1f} GFLOP of batched ones, each at the rate its shape reached here. "
        f"Measured {bench['date'][:10]} on {processor(m)}, flags {', '.join(m.get('cpu_flags', [])) or 'not read'}, "
        f"load {bench['load']['mean']:.1f} on average, commit {bench['commit'][:10]}"
        + (f", {minutes(bench['seconds'])} in all" if "seconds" in bench else "") + f"; Python {v['python']}, "
        f"TensorFlow {v['tensorflow']}, Keras {v['keras']}, NumPy {v['numpy']}.")


def quality_table() -> str:
    """records/quality.json: one row per configuration actually trained."""
    rows = ["| name | model | epochs | best validation loss | bits per character | at epoch | the same, state carried | "
            "training | command |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in json.loads(QUALITY.read_text()):
        p, m = r["parameters"], r["machine"]
        model = (f"{p['RNN_TYPE'].upper()} {p['RNN_UNITS']} × {p['NUM_LAYERS']}, embedding {p['EMBEDDING_DIM']}, "
                 f"dropout {p['DROPOUT']}, batch {p['BATCH_SIZE']} × {p['SEQ_LENGTH']}, Adam {p['LEARNING_RATE']} "
                 f"{p.get('LR_SCHEDULE', 'constant')}" + (f", clip {p['CLIP_NORM']}" if p.get("CLIP_NORM") else "")
                 + (", state carried" if p.get("CARRY_STATE") else "")
                 + (f", {p['PRECISION']}" if p.get("PRECISION", "float32") != "float32" else ""))
        rows.append(f"| {r['name']} | {model} | {r['epochs']} | {r['best_val_loss']:.3f} | {r['best_bits_per_char']:.2f} | "
                    f"{r['best_epoch']} | {r['carried_val_loss']:.3f} | {r['training_seconds']:.0f} s on {processor(m)} | "
                    f"`{r['command']}` |")
    return "\n".join(rows)


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
    m = tutorial_row()["machine"]
    header, note = {
        "en": ("| notebook | title | CPU time of the committed run | exercises |",
               "Times are the committed notebooks' own cell timings, with their default parameters (04: the tutorial's "
               f"10 epochs), on {processor(m)}, the machine 04 trained on."),
        "ja": ("| ノートブック | 題名 | コミット済みの実行の CPU 時間 | 演習 |",
               "時間は、コミット済みの英語版のノートブックが記録したセルの実行時間です（コードは同じ。既定のパラメータ、"
               "04 はチュートリアルどおりの "
               f"10 エポック、04 が訓練したマシン {m['cpu']}（{records.kind({'machine': m})}）の {m['cores']} コア）。")}[language]
    rows = [header, "| --- | --- | --- | --- |"]
    rows += [f"| [`{name}`]({folder}/{name}.ipynb) | {title} | {minutes(seconds, language)} | {exercises} |"
             for name, title, seconds, exercises in notebook_rows(NOTEBOOK_DIR.parent / folder)]
    return "\n".join(rows) + "\n\n" + note


# The runs table's columns, in each language of the documents.
RUN_COLUMNS = {"en": ("command", "processor × cores", "date", "mean load", "time", "of it training", "best validation loss", "tests"),
               "ja": ("コマンド", "プロセッサ × コア数", "日付", "平均負荷", "時間", "うち訓練", "最良の検証損失", "テスト")}
RUN_RECORDS = (("make test", "make_test_fresh_clone"), ("make run", "make_run_workshop"),
               ("make run PROFILE=short", "make_run_short"))


def machine(record: dict) -> str:
    """A record's processor, named by its instruction set too (both kinds here call themselves "AMD EPYC"), and cores."""
    return f"{record['machine']['cpu']} ({records.kind(record)}) × {record['machine']['cores']}"


def tests_summary(summary: str, language: str) -> str:
    """pytest's summary ("250 passed, 2 skipped") in the document's language."""
    if language == "en":
        return summary
    words = {"passed": "成功", "failed": "失敗", "skipped": "スキップ", "error": "エラー", "errors": "エラー"}
    return "、".join(f"{count} 件{words[word]}" for count, word in (part.split() for part in summary.split(", ")))


def runs_table(language: str = "en") -> str:
    """The recorded `make test` (from a fresh clone) and `make run`s, one row per kind of processor measured."""
    header = RUN_COLUMNS[language]
    rows = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for command, name in RUN_RECORDS:
        for r in records.read_kinds(name).values():
            p = r.get("parameters", {})
            settings = f" ({p['RNN_TYPE'].upper()} {p['RNN_UNITS']}, EPOCHS={p['EPOCHS']}, {p['PRECISION']})" if p else ""
            second = records.UNITS[language][1]
            trained = [f"{r['training_seconds']:.0f} {second}", f"{r['best_val_loss']:.3f}", ""] if "training_seconds" in r \
                else ["", "", tests_summary(r["pytest_summary"], language)]
            rows.append(f"| `{command}`{settings} | {machine(r)} | {r['date'][:10]} | "
                        f"{r['load']['mean']:.1f} | {minutes(r['seconds'], language)} | " + " | ".join(trained) + " |")
    return "\n".join(rows)


def sample() -> str:
    """The first lines of the workshop run's sample."""
    lines = records.read("make_run_workshop")["sample"].splitlines()
    return "```\n" + "\n".join(lines[:12]).rstrip() + "\n```"


def pretrained_summary(language: str = "en") -> str:
    info, size = pretrained_info(), (PRETRAINED / "model.weights.h5").stat().st_size / 1e6
    return PRETRAINED_SUMMARY[language].format(epoch=info["epoch"], val_loss=info["val_loss"], bits=bits_per_char(info["val_loss"]),
                                               tutorial=tutorial_row()["best_val_loss"], size=size)


def workshop_times(language: str = "en") -> str:
    """Each notebook's seconds in the newest recorded `make run` (workshop profile)."""
    run = records.read("make_run_workshop")
    header = {"en": "notebook | seconds in `make run`", "ja": "ノートブック | `make run` での秒数"}[language]
    rows = [f"| {header}, {run['date'][:10]}, {machine(run)} |", "| --- | --- |",
            *(f"| `{name}` | {seconds:.0f} |" for name, seconds in run["notebook_seconds"].items())]
    return "\n".join(rows)


def loss_by_position() -> str:
    """The held-out loss by a character's place in its window, and with the state carried, per recorded model."""
    rows = ["| model | windows of | first character | characters 2-5 | 6-20 | 51-100 | 101-200 | whole windows | state carried |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for path in sorted(records.RECORDS.glob("loss_by_position_*.json")):
        r = records.read(path.stem)
        spans = r["spans"]
        cell = [f"{spans[k]:.3f}" if k in spans else "" for k in ("1-1", "2-5", "6-20", "51-100", "101-200")]
        rows.append(f"| {r['model']} | {r['seq_length']} | " + " | ".join(cell) +
                    f" | {r['windowed']:.3f} | {r['carried']:.3f} |")
    return "\n".join(rows)


def compat_results() -> str:
    """`make test-compat`'s last record: each stack's versions, each part's counts and seconds."""
    run = records.read("make_test_compat")
    rows = ["| stack | Python | TensorFlow | Keras | unit tests | notebook tests | in all |", "| --- |" + " --- |" * 6]
    for stack, s in run["stacks"].items():
        v, parts = s["versions"], s["parts"]
        cells = [f"{p['passed']} passed" + "".join(f", {p[k]} {k}" for k in ("failed", "errors", "skipped") if p[k]) +
                 f" ({minutes(p['seconds'])})" for p in (parts["unit"], parts["notebooks"])]
        rows.append(f"| `{stack}` | {v['python']} | {v['tensorflow']} | {v['keras']} | {cells[0]} | {cells[1]} | "
                    f"{minutes(s['seconds'])} |")
    verdict = "Both stacks passed" if run["passed"] else "Not every stack passed"
    return "\n".join(rows) + (f"\n\n{verdict}: `make test-compat` on {where(run)}, commit {run['commit'][:10]} "
                               "(records/make_test_compat.json).")


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
