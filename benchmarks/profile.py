"""Where the time of a benchmark figure goes: Linux perf samples every thread of the workload, after its warm-up.

    .venv/bin/python -m benchmarks.profile [--seconds 15]

Each workload is one of `make bench`'s figures below its target, run by this file in a process of its
own until perf has sampled it. The samples are sorted into a few kinds of work by the function (and
library) they fell in; records/profile.json keeps those shares and the busiest functions. Needs
perf (Debian's linux-perf) and a kernel that lets it sample the process.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from helpers.data import PROJECT_ROOT

WORKLOADS = {  # name: the bench figure it explains, and what its code generated at run time is
    "generate_one": ("generate: 1 prompt", "XLA's compiled sampling loop, its matrix-vector products included"),
    "generate_batch": ("generate: 64 prompts", "XLA's compiled sampling loop, around the library's products"),
    "train_bfloat16": ("training step, FusedGRU, mixed_bfloat16", "oneDNN's matrix kernels (training does not use XLA)"),
}
# The first kind whose pattern matches a sample's "library function" wins.
KINDS = [
    ("matrix products (library kernels)", r"ynn::dot|gemm|dnnl|mkl|Contraction|MatMul|matmul"),
    ("weight packing (transposes, copies)", r"transpose|interleave|memmove|memcpy"),
    ("element-wise work (gates, activations, sums)", r"EvalRange|TensorEvaluator|TensorReduction|scalar_"),
    ("code generated at run time", r"^\[JIT\]"),
    ("thread pool (handing out and waiting for work)", r"ThreadPool|RunQueue|Steal|MaybeGetTask|WaitForWork|futex|\[kernel"),
]


def workload(name: str) -> None:
    """Run ``name`` forever; print "ready" once it is warm (traced, compiled, caches filled)."""
    import helpers

    helpers.quiet_tensorflow()
    import keras

    if name == "train_bfloat16":
        from benchmarks.bench_train import compiled_model, pipeline

        model, data = compiled_model("fused", precision="mixed_bfloat16"), pipeline(12).repeat()
        model.fit(data, steps_per_epoch=3, epochs=1, verbose=0)
        print("ready", flush=True)
        model.fit(data, steps_per_epoch=10_000, epochs=1, verbose=0)
        return
    from benchmarks.bench_generate import EMBEDDING_DIM, PROMPTS, RNN_UNITS, VOCAB

    from helpers.generation import generate
    from helpers.model import build_model

    keras.utils.set_random_seed(0)
    model = build_model(len(VOCAB), EMBEDDING_DIM, RNN_UNITS)
    prompts = PROMPTS if name == "generate_batch" else PROMPTS[0]
    generate(model, VOCAB, prompts, 1000, seed=0)
    print("ready", flush=True)
    while True:
        generate(model, VOCAB, prompts, 1000, seed=0)


def sampled(name: str, seconds: float) -> list[tuple[float, str]]:
    """perf's share of the samples per (library, function) of ``name``'s process, after its warm-up."""
    process = subprocess.Popen([sys.executable, "-m", "benchmarks.profile", "--workload", name],
                               stdout=subprocess.PIPE, text=True, cwd=PROJECT_ROOT)
    try:
        if process.stdout.readline().strip() != "ready":
            raise SystemExit(f"the {name} workload stopped before it was warm (exit {process.wait()})")
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "perf.data"
            subprocess.run(["perf", "record", "-F", "499", "-p", str(process.pid), "-o", str(data), "--", "sleep", str(seconds)],
                           check=True, capture_output=True)
            report = subprocess.run(["perf", "report", "-i", str(data), "--no-children", "--sort", "dso,sym", "--stdio"],
                                    check=True, capture_output=True, text=True).stdout
    finally:
        process.kill()
    rows = []
    for line in report.splitlines():
        match = re.match(r"\s*([\d.]+)%\s+(\S+(?: tid \d+)?)\s+\[[.k]\]\s+(.*)", line)
        if match:
            rows.append((float(match[1]) / 100, f"{match[2]} {match[3].strip()}"))
    return rows


def shares(rows: list[tuple[float, str]]) -> dict[str, float]:
    """The samples' shares by kind of work."""
    out = {kind: 0.0 for kind, _ in KINDS} | {"other": 0.0}
    for share, where in rows:
        kind = next((kind for kind, pattern in KINDS if re.search(pattern, where)), "other")
        out[kind] += share
    return {kind: round(share, 3) for kind, share in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15, help="seconds perf samples each workload")
    parser.add_argument("--workload", choices=WORKLOADS, help=argparse.SUPPRESS)  # the child process's part
    args = parser.parse_args()
    if args.workload:
        return workload(args.workload)
    if shutil.which("perf") is None:
        raise SystemExit("perf is not installed: apt-get install linux-perf (Debian), then run again.")
    from benchmarks.run import machine
    from scripts import records

    described, measured, profiles = machine(), records.commit(), {}
    with records.Load() as load:
        for name, (figure, generated) in WORKLOADS.items():
            print(f"{name}...", flush=True)
            rows = sampled(name, args.seconds)
            busiest = sorted(rows, reverse=True)[:8]
            profiles[name] = {"figure": figure, "code generated at run time": generated, "shares": shares(rows),
                              "busiest": [{"share": round(s, 3), "where": w} for s, w in busiest]}
            print("   " + ", ".join(f"{kind} {share:.0%}" for kind, share in profiles[name]["shares"].items() if share))
    path = records.write("profile", {"command": f"python -m benchmarks.profile --seconds {args.seconds:g}",
                                      "profiles": profiles}, load, described, measured)
    print(f"written: {path.relative_to(PROJECT_ROOT)}")


if __name__ == "__main__":
    main()
