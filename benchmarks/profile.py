"""`make bench-profile`: where the time of the bench figures below their targets goes.

    .venv/bin/python -m benchmarks.profile [--seconds 15]

Linux perf samples every thread of this process while it runs each figure's bench call over and over, after a
warm-up, and sorts the samples into a few kinds of work by the function (and library) they fell in;
records/profile.json keeps those shares and the busiest functions. Needs perf (Debian's linux-perf), and a
kernel that lets it sample the process.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import tempfile
import threading
from functools import partial
from pathlib import Path

from benchmarks.run import EMBEDDING_DIM, NUM_CHARS, PROMPTS, RNN_UNITS, VOCAB, compiled_model, pipeline  # imports TensorFlow quietly
import keras
from helpers.data import PROJECT_ROOT
from helpers.generation import generate
from helpers.model import build_model
from helpers.precision import describe_machine
from scripts import records

# The first kind whose pattern matches a sample's "library function" wins.
KINDS = [
    ("matrix products (library kernels)", r"ynn::dot|gemm|dnnl|mkl|Contraction|MatMul|matmul"),
    ("weight packing (transposes, copies)", r"transpose|interleave|memmove|memcpy"),
    ("element-wise work (gates, activations, sums)", r"EvalRange|TensorEvaluator|TensorReduction|scalar_"),
    ("code generated at run time", r"^\[JIT\]"),
    ("thread pool (handing out and waiting for work)", r"ThreadPool|RunQueue|Steal|MaybeGetTask|WaitForWork|futex|\[kernel"),
]


def workloads() -> dict:
    """name: (the bench figure it explains, what its code generated at run time is, one call of it)."""
    keras.utils.set_random_seed(0)
    model, trained = build_model(len(VOCAB), EMBEDDING_DIM, RNN_UNITS), compiled_model("fused", precision="mixed_bfloat16")
    return {
        "generate_one": ("generate: 1 prompt", "XLA's compiled sampling loop, its matrix-vector products included",
                         partial(generate, model, VOCAB, PROMPTS[0], NUM_CHARS, seed=0)),
        "generate_batch": ("generate: 64 prompts", "XLA's compiled sampling loop, around the library's products",
                           partial(generate, model, VOCAB, PROMPTS, NUM_CHARS, seed=0)),
        "train_bfloat16": ("training step, FusedGRU, mixed_bfloat16", "oneDNN's matrix kernels (training does not use XLA)",
                           partial(trained.fit, pipeline(), verbose=0, shuffle=False)),
    }


def sampled(call, seconds: float) -> str:
    """perf's report, by library and function, of this process while ``call`` runs over and over after a warm-up."""
    call()  # traces, compiles, fills caches
    stop = threading.Event()

    def repeat():
        while not stop.is_set():
            call()

    thread = threading.Thread(target=repeat)
    thread.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            data = str(Path(tmp) / "perf.data")
            subprocess.run(["perf", "record", "-F", "499", "-p", str(os.getpid()), "-o", data, "--", "sleep", str(seconds)],
                           check=True, capture_output=True)
            return subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort", "dso,sym", "--stdio"],
                                  check=True, capture_output=True, text=True).stdout
    finally:
        stop.set()
        thread.join()


def samples(report: str) -> list[tuple[float, str]]:
    """Each line of perf's report as (share of the samples, "library function")."""
    rows = [re.match(r"\s*([\d.]+)%\s+(\S+(?: tid \d+)?)\s+\[[.k]\]\s+(.*)", line) for line in report.splitlines()]
    return [(float(m[1]) / 100, f"{m[2]} {m[3].strip()}") for m in rows if m]


def shares(rows: list[tuple[float, str]]) -> dict[str, float]:
    """The samples' shares by kind of work."""
    out = {kind: 0.0 for kind, _ in KINDS} | {"other": 0.0}
    for share, where in rows:
        out[next((kind for kind, pattern in KINDS if re.search(pattern, where)), "other")] += share
    return {kind: round(share, 3) for kind, share in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15, help="seconds perf samples each workload")
    seconds = parser.parse_args().seconds
    if shutil.which("perf") is None:
        raise SystemExit("perf is not installed: apt-get install linux-perf (Debian), then run again.")
    machine, measured, profiles = describe_machine(), records.commit(), {}
    with records.Load() as load:
        for name, (figure, generated, call) in workloads().items():
            print(f"{name}...", flush=True)
            rows = samples(sampled(call, seconds))
            profiles[name] = {"figure": figure, "code generated at run time": generated, "shares": shares(rows),
                              "busiest": [{"share": round(s, 3), "where": w} for s, w in sorted(rows, reverse=True)[:8]]}
            print("   " + ", ".join(f"{kind} {share:.0%}" for kind, share in profiles[name]["shares"].items() if share))
    path = records.write("profile", {"command": f"python -m benchmarks.profile --seconds {seconds:g}", "profiles": profiles},
                         load, machine, measured)
    print(f"written: {path.relative_to(PROJECT_ROOT)}")


if __name__ == "__main__":
    main()
