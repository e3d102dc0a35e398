"""Run the seven notebooks under a profile, as `make run` does, and record its times, figures and sample in
records/make_run_<profile>.json. Run it on a machine doing nothing else.

    .venv/bin/python -m scripts.record_run [--profile workshop]      (make record-run)
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from helpers.data import PROJECT_ROOT
from scripts import records


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="workshop")
    args = parser.parse_args()
    from scripts import runner

    with records.Measurement() as measured:
        started = time.perf_counter()
        run_dir = runner.run(args.profile, PROJECT_ROOT / "runs")
        seconds = time.perf_counter() - started
    summary = json.loads((run_dir / "summary.json").read_text())
    path = records.write(f"make_run_{args.profile}", {
        "command": f"make run PROFILE={args.profile} (python -m scripts.runner --profile {args.profile})",
        "run_folder": str(run_dir.relative_to(PROJECT_ROOT)), "seconds": round(seconds, 1),
        **{k: summary[k] for k in ("epochs", "final_loss", "final_val_loss", "best_epoch", "best_val_loss",
                                   "training_seconds", "notebook_seconds", "sample")},
        "parameters": summary["parameters"],
    }, measured)
    print(f"Wrote {path.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
