"""Run the seven notebooks under a profile, as `make run` does, and record it: records/make_run_<profile>.json
holds each notebook's seconds, the whole run's seconds, the training figures of summary.json and its
sample, stamped with date, commit, machine and load.

    .venv/bin/python -m scripts.record_run [--profile workshop] [--name NAME]      (make record-run)

--name writes records/make_run_NAME.json instead, to keep a run beside another of the same profile
(its float32 twin, say).

Run it on a machine doing nothing else: the load average is recorded with the times.
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
    parser.add_argument("--name", help="the record's name after make_run_ (default: the profile's)")
    args = parser.parse_args()
    import helpers
    from scripts import runner

    helpers.quiet_tensorflow()
    from helpers.precision import describe_machine

    machine, measured = describe_machine(), records.commit()  # the commit whose code runs
    with records.Load() as load:
        started = time.perf_counter()
        run_dir = runner.run(args.profile, PROJECT_ROOT / "runs")
        seconds = time.perf_counter() - started
    summary = json.loads((run_dir / "summary.json").read_text())
    path = records.write(f"make_run_{args.name or args.profile}", {
        "command": f"make run PROFILE={args.profile} (python -m scripts.runner --profile {args.profile})",
        "run_folder": str(run_dir.relative_to(PROJECT_ROOT)), "seconds": round(seconds, 1),
        **{k: summary[k] for k in ("epochs", "final_loss", "final_val_loss", "best_epoch", "best_val_loss",
                                   "training_seconds", "notebook_seconds", "sample")},
        "parameters": summary["parameters"],
    }, load, machine, measured)
    print(f"Wrote {path.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
