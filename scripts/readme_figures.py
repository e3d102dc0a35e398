"""Write the documents' figures (README.md, WORKSHOP.md, docs/) from the files that hold them: the
records in records/ (each stamped with date, commit, machine and load), the committed notebooks
(what they printed, how long their cells ran, how many exercises they have), the run pretrained/
comes from (its history.json and provenance.json), the speed table (records/bench.json) and the
quality table (records/quality.json, rows written by scripts/quality_row.py).

    .venv/bin/python -m scripts.readme_figures
"""

from __future__ import annotations

import json
import re

import helpers

helpers.quiet_tensorflow()  # helpers.rundir imports Keras
from helpers.data import PROJECT_ROOT  # noqa: E402
from helpers.progress import bits_per_char  # noqa: E402
from helpers.rundir import best_of  # noqa: E402
from helpers.runner import NOTEBOOK_DIR, NOTEBOOKS  # noqa: E402
from scripts import records  # noqa: E402
from scripts.records import QUALITY, minutes, notebook_seconds, processor, tutorial_row, where  # noqa: E402
from scripts.readme import write_section  # noqa: E402

PRETRAINED = PROJECT_ROOT / "pretrained"


NOTEBOOK_04 = PROJECT_ROOT / "notebooks" / "04_fit.ipynb"
EPOCH_LINE = re.compile(r"^Epoch (\d+)/\d+ · (\d+) s · training loss ([\d.]+) · validation loss ([\d.]+)", re.MULTILINE)


def _epoch_table(history: dict) -> str:
    return "\n".join([
        "| epoch | " + " | ".join(str(e) for e in history["epoch"]) + " |",
        "| --- |" + " --- |" * len(history["epoch"]),
        "| training loss | " + " | ".join(f"{v:.3f}" for v in history["loss"]) + " |",
        "| validation loss | " + " | ".join(f"{v:.3f}" for v in history["val_loss"]) + " |",
        "| seconds | " + " | ".join(f"{v:.0f}" for v in history["seconds"]) + " |"])


def _summary(val_loss: float, epoch: int, seconds: float, machine: dict) -> str:
    return (f"Best validation loss {val_loss:.3f} at epoch {epoch} ({bits_per_char(val_loss):.2f} bits per character); "
            f"{seconds / 60:.0f} minutes of training on {processor(machine)}, "
            f"TensorFlow {machine['tensorflow']}, Keras {machine['keras']}.")


def fit_table() -> str:
    """Every epoch's losses as the committed 04_fit printed them; the machine from quality.json's tutorial row."""
    cells = json.loads(NOTEBOOK_04.read_text())["cells"]
    printed = "".join("".join(o.get("text", "")) for c in cells if c["cell_type"] == "code" for o in c["outputs"])
    epochs = [tuple(map(float, m)) for m in EPOCH_LINE.findall(printed)]
    history = {"epoch": [int(e[0]) for e in epochs], "seconds": [e[1] for e in epochs],
               "loss": [e[2] for e in epochs], "val_loss": [e[3] for e in epochs]}
    epoch, val_loss = best_of(history)
    tutorial = tutorial_row()
    return _epoch_table(history) + "\n\n" + _summary(val_loss, epoch, sum(history["seconds"]), tutorial["machine"])


def best_table() -> str:
    """Every epoch's losses of the run pretrained/ comes from."""
    history = json.loads((PRETRAINED / "history.json").read_text())
    info = json.loads((PRETRAINED / "provenance.json").read_text())
    return _epoch_table(history) + "\n\n" + _summary(info["val_loss"], info["epoch"], info["training_seconds"], info["machine"])


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def bench_table() -> str:
    """records/bench.json, one table for each kind of processor it was measured on."""
    return "\n\n".join(f"**{kind}**\n\n{_bench_table(bench)}" for kind, bench in records.read_kinds("bench").items())


def _bench_table(bench: dict) -> str:
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
        f"load {bench['load']['mean']:.1f} on average, commit {bench['commit'][:10]}; Python {v['python']}, "
        f"TensorFlow {v['tensorflow']}, Keras {v['keras']}, NumPy {v['numpy']}.")


def profile_table() -> str:
    """records/profile.json: for each figure below its target, the share of perf's samples by kind of work."""
    profile = records.read("profile")
    runs = list(profile["profiles"].values())
    rows = ["| kind of work | " + " | ".join(r["figure"] for r in runs) + " |", "| --- |" + " --- |" * len(runs)]
    for kind in runs[0]["shares"]:
        rows.append(f"| {kind} | " + " | ".join(f"{r['shares'][kind]:.0%}" for r in runs) + " |")
    generated = "; ".join(f"for {r['figure']}, {r['code generated at run time']}" for r in runs)
    return "\n".join(rows) + f"\n\nCode generated at run time is, {generated}. Sampled {where(profile)}, commit {profile['commit'][:10]}."


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
                    f"{r['best_epoch']} | {r['carried_val_loss']:.3f} | {r['training_seconds']} s on {processor(m)} | "
                    f"`{r['command']}` |")
    return "\n".join(rows)


# What each notebook teaches, for the README's table (its times and exercises are counted below).
LESSONS = {
    "01_vectorize": "load the corpus (checked by SHA-256), the vocabulary, `char2idx` and `idx2char`",
    "02_batch": "the next-character task, windows of `SEQ_LENGTH + 1`, `split_input_target`, shuffled batches",
    "03_build": "Embedding → GRU → Dense, its parameters and output shape, sampling untrained, the loss of a guess",
    "04_fit": "the loss, `compile` with Adam, a checkpoint callback, a run folder that resumes, `fit` with a "
              "held-out loss, a sample per epoch, learning curves, mixed precision",
    "05_generate": "restore the best checkpoint, one generation step and the loop around it, the tutorial's stateful "
                   "design, the loop compiled whole, temperature, several prompts, export",
    "06_custom_loop": "the training step and the epoch loop written out with `tf.GradientTape`, side by side with `fit`; "
                      "the state carried from batch to batch (truncated backpropagation through time)",
    "07_inside_the_gru": "the GRU's equations in NumPy on trained weights, backpropagation through time, timed",
}


LESSONS_JA = {
    "01_vectorize": "コーパスの読み込み（SHA-256 で確認）、語彙、`char2idx` と `idx2char`",
    "02_batch": "次の文字を当てるタスク、`SEQ_LENGTH + 1` 文字のウィンドウ、`split_input_target`、シャッフルしたバッチ",
    "03_build": "Embedding → GRU → Dense、パラメータ数と出力の形、訓練前のモデルからのサンプリング、当て推量の損失",
    "04_fit": "損失、Adam での `compile`、チェックポイントのコールバック、再開できる実行フォルダ、検証損失つきの `fit`、"
              "エポックごとのサンプル、学習曲線、混合精度",
    "05_generate": "最良のチェックポイントの復元、生成の一歩とそのループ、チュートリアルのステートフルな設計、"
                   "まるごとコンパイルしたループ、温度、複数のプロンプト、エクスポート",
    "06_custom_loop": "`tf.GradientTape` で書いた訓練ステップとエポックのループを `fit` と並べて、"
                      "バッチからバッチへ引き継ぐ状態（打ち切り型の通時的誤差逆伝播）",
    "07_inside_the_gru": "訓練済みの重みで NumPy に書いた GRU の式、通時的誤差逆伝播、その計時",
}


def notebook_rows() -> list[tuple[str, float, int]]:
    """Each notebook's name, the seconds its committed cells ran, and its exercises."""
    rows = []
    for name in NOTEBOOKS:
        cells = json.loads((NOTEBOOK_DIR / f"{name}.ipynb").read_text())["cells"]
        exercises = sum("solution" in c["metadata"].get("tags", []) for c in cells)
        rows.append((name, notebook_seconds(NOTEBOOK_DIR / f"{name}.ipynb"), exercises))
    return rows


def notebooks_table() -> str:
    """Each notebook: what it teaches, how long its committed run took, and its exercises."""
    rows = ["| notebook | what it teaches | CPU time of the committed run | exercises |", "| --- | --- | --- | --- |"]
    rows += [f"| `{name}` | {LESSONS[name]} | {minutes(seconds)} | {exercises} |" for name, seconds, exercises in notebook_rows()]
    return "\n".join(rows) + ("\n\nTimes are the committed notebooks' own cell timings, with their default parameters "
                              f"(04: the tutorial's 10 epochs), on {processor(tutorial_row()['machine'])}, the machine "
                              "04 trained on.")


def notebooks_table_ja() -> str:
    """README.ja.md's table: the same figures, in Japanese, linking the Japanese notebooks."""
    rows = ["| ノートブック | 学ぶこと | コミット済みの実行の CPU 時間 | 演習 |", "| --- | --- | --- | --- |"]
    rows += [f"| [`{name}`](notebooks/ja/{name}.ipynb) | {LESSONS_JA[name]} | {minutes(seconds)} | {exercises} |"
             for name, seconds, exercises in notebook_rows()]
    m = tutorial_row()["machine"]
    kind = records.kind({"machine": m})
    return "\n".join(rows) + ("\n\n時間は、コミット済みのノートブック自身が記録したセルの実行時間です（既定のパラメータ、"
                              f"04 はチュートリアルどおりの 10 エポック、04 が訓練したマシン {m['cpu']}（{kind}）の {m['cores']} コア）。")


def by_kind(name: str, joiner: str = ", ") -> str:
    """A record's time on each kind of processor it was measured on: "5 min (AVX-512 BF16), 13 min (AVX2)"."""
    return joiner.join(f"{minutes(r['seconds'])} ({kind})" for kind, r in records.read_kinds(name).items())


def commands() -> str:
    """The two commands, each with its time from its record on each kind of processor."""
    tests, runs = records.read_kinds("make_test_fresh_clone").values(), records.read_kinds("make_run_workshop").values()
    return "\n".join([
        "```bash",
        "make test   # creates .venv with the notebooks' packages and the test tools, runs ruff and every test: "
        f"{by_kind('make_test_fresh_clone')} "
        "from a fresh clone",
        f"make run    # creates .venv with the notebooks' packages only, then trains and generates with the seven notebooks: "
        f"{by_kind('make_run_workshop')}",
        "```", "",
        "Measured here: `make test` on " + "; on ".join(f"{where(t)} ({t['pytest_summary']})" for t in tests) +
        "; `make run` with the workshop profile on " + "; on ".join(
            f"{where(r)}, {r['training_seconds']:.0f} s of it training, best validation loss {r['best_val_loss']:.3f}"
            for r in runs) + "; `make run PROFILE=short`, the workshop for a CPU without bfloat16, on " + "; on ".join(
            f"{where(r)}, {minutes(r['seconds'])}, {r['training_seconds']:.0f} s of it training, best validation loss "
            f"{r['best_val_loss']:.3f}" for r in records.read_kinds("make_run_short").values()) + " (records/).",
    ])


def where_ja(record: dict) -> str:
    m = record["machine"]
    return f"{record['date'][:10]}、{m['cpu']}（{records.kind(record)}）の {m['cores']} コア、平均負荷 {record['load']['mean']:.1f}"


def commands_ja() -> str:
    """README.ja.md's two commands, with the same records' times."""
    tests, runs = records.read_kinds("make_test_fresh_clone").values(), records.read_kinds("make_run_workshop").values()
    return "\n".join([
        "```bash",
        f"make test            # ノートブックのパッケージとテスト用ツールで .venv を作り、ruff と全テストを実行: "
        f"新しいクローンから {by_kind('make_test_fresh_clone', '、')}",
        f"make run EDITION=ja  # ノートブックに要るパッケージだけで .venv を作り、日本語版の七つのノートブックで訓練と生成: "
        f"{by_kind('make_run_workshop', '、')}",
        "```", "",
        "ここでの計測: `make test` は " + "、".join(f"{where_ja(t)}（{t['pytest_summary']}）" for t in tests) +
        "。`make run`（workshop プロファイル、英語版。コードは同じです）は " + "、".join(
            f"{where_ja(r)}、うち訓練 {r['training_seconds']:.0f} 秒、最良の検証損失 {r['best_val_loss']:.3f}" for r in runs) +
        "。bfloat16 のない CPU 向けの `make run PROFILE=short` は " + "、".join(
            f"{where_ja(r)}、{minutes(r['seconds'])}、うち訓練 {r['training_seconds']:.0f} 秒、最良の検証損失 "
            f"{r['best_val_loss']:.3f}" for r in records.read_kinds("make_run_short").values()) + "（records/）。",
    ])


def sample() -> str:
    """The first lines of the workshop run's sample."""
    lines = records.read("make_run_workshop")["sample"].splitlines()
    return "```\n" + "\n".join(lines[:12]).rstrip() + "\n```"


def pretrained_summary() -> str:
    info = json.loads((PRETRAINED / "provenance.json").read_text())
    tutorial = tutorial_row()
    size = (PRETRAINED / "model.weights.h5").stat().st_size / 1e6
    return (f"It is epoch {info['epoch']} of that run, validation loss {info['val_loss']:.3f} "
            f"({bits_per_char(info['val_loss']):.2f} bits per character), against {tutorial['best_val_loss']:.3f} for the "
            f"tutorial's own run above; its weights file is {size:.1f} MB.")


def _workshop_table(header: str) -> tuple[str, dict]:
    """The recorded `make run` (workshop profile): each notebook's seconds as table rows, and the record."""
    run = records.read("make_run_workshop")
    rows = [header, "| --- | --- |", *(f"| `{name}` | {seconds:.0f} |" for name, seconds in run["notebook_seconds"].items())]
    return "\n".join(rows), run


def _other_runs() -> list[tuple[str, dict]]:
    """The recorded `make run`s besides the table's: the workshop profile on the other kinds of processor,
    then the short profile on each kind."""
    table = records.read("make_run_workshop")
    return ([("workshop", r) for r in records.read_kinds("make_run_workshop").values() if r["date"] != table["date"]] +
            [("short", r) for r in records.read_kinds("make_run_short").values()])


def _model(run: dict, ja: bool = False) -> str:
    p = run["parameters"]
    if ja:
        return f"{p['RNN_UNITS']} ユニットの GRU、{p['EPOCHS']} エポック、{p['PRECISION']}"
    return f"a GRU of {p['RNN_UNITS']} units, {p['EPOCHS']} epochs, {p['PRECISION']}"


def workshop_times() -> str:
    """Each notebook's seconds in the recorded `make run` (workshop profile), then the other recorded runs."""
    table, run = _workshop_table("| notebook | seconds in `make run` |")
    return table + (f"\n\nThe whole run took {minutes(run['seconds'])} on {where(run)}; 04 trained for "
                    f"{run['training_seconds']:.0f} s and reached a best validation loss of {run['best_val_loss']:.3f} "
                    f"at epoch {run['best_epoch']}.") + "".join(
        f"\n\n`make run PROFILE={profile}` ({_model(r)}): {minutes(r['seconds'])} on {where(r)}; 04 trained for "
        f"{r['training_seconds']:.0f} s, best validation loss {r['best_val_loss']:.3f}." for profile, r in _other_runs())


def workshop_times_ja() -> str:
    """WORKSHOP.ja.md's table: the same records."""
    table, run = _workshop_table("| ノートブック | `make run` での秒数 |")
    return table + (f"\n\n実行全体で {minutes(run['seconds'])}（{where_ja(run)}）。04 の訓練は "
                    f"{run['training_seconds']:.0f} 秒で、エポック {run['best_epoch']} で最良の検証損失 "
                    f"{run['best_val_loss']:.3f} に達しました。") + "".join(
        f"\n\n`make run PROFILE={profile}`（{_model(r, ja=True)}）: {minutes(r['seconds'])}（{where_ja(r)}）。04 の訓練は "
        f"{r['training_seconds']:.0f} 秒、最良の検証損失 {r['best_val_loss']:.3f}。" for profile, r in _other_runs())


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


SECTIONS = {"sample-ja": sample, "commands-ja": commands_ja, "notebooks-table-ja": notebooks_table_ja,
            "workshop-times-ja": workshop_times_ja,
            "fit-table": fit_table, "best-table": best_table, "bench-table": bench_table, "quality-table": quality_table,
            "notebooks-table": notebooks_table, "commands": commands, "sample": sample,
            "pretrained-summary": pretrained_summary, "workshop-times": workshop_times, "loss-by-position": loss_by_position,
            "profile-table": profile_table, "compat-results": compat_results}


def main() -> None:
    for name, render in SECTIONS.items():
        write_section(name, render())


if __name__ == "__main__":
    main()
