"""Run the benchmarks: `python -m bench` from the repository root (`make bench`).
Results go to docs/performance/: results.json and the tables the page includes."""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.serving import ROOT

from . import crud, rag, streaming, waiting
from .common import mysql, write

QUESTIONS = {"waiting": waiting, "crud": crud, "part5": streaming}


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def write_report(results: dict[str, Any], out: Path) -> int:
    """Every question's tables, the run notes and the targets; how many missed."""
    targets: list[str] = []
    for key, module in QUESTIONS.items():
        if key in results:
            targets += module.report(results[key], out)  # type: ignore[attr-defined]
    notes = [f"{name} | {value}" for name, value in results["notes"].items()]
    write(out / "run.md", "run notes | ", notes)
    write(out / "targets.md", "target | measured | result", targets)
    print("\n".join(targets))
    return sum("miss" in row for row in targets)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="short runs, not to publish"
    )
    parser.add_argument(
        "--only", choices=[*QUESTIONS, "rag"], help="measure one, keep the others"
    )
    parser.add_argument("--report-only", action="store_true", help="only redraw")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "performance")
    args = parser.parse_args()
    saved, started, before = args.out / "results.json", time.monotonic(), uptime()
    keep = saved.exists() and (args.only or args.report_only)
    results = json.loads(saved.read_text()) if keep else {}
    # `--only rag` measures none of results.json: its notes stay the last run's.
    if not args.report_only and args.only != "rag":
        asked = [args.only] if args.only else list(QUESTIONS)
        if "waiting" in asked:
            results["waiting"] = waiting.measure(deadline=5 if args.quick else 10)
        with mysql() as db:
            if "crud" in asked:
                results["crud"] = crud.measure(
                    db, *((0.3, 0.1, 1) if args.quick else (1.5, 0.3, 2))
                )
            if "part5" in asked:
                results["part5"] = streaming.measure(
                    db, streaming.QUICK if args.quick else streaming.FULL
                )
        results["notes"] = {
            "date": time.strftime("%Y-%m-%d %H:%M %Z"),
            "mode": "quick, not for publishing" if args.quick else "full",
            "machine": f"{os.cpu_count()} CPUs, {platform.platform(terse=True)}",
            "Python": platform.python_version(),
            "minutes": round((time.monotonic() - started) / 60, 1),
            "uptime before": before,
            "uptime after": uptime(),
        }
        args.out.mkdir(parents=True, exist_ok=True)
        saved.write_text(json.dumps(results, indent=1) + "\n")
    print(f"{write_report(results, args.out)} targets missed; see {args.out}/")
    if args.only in (None, "rag") and not args.report_only:  # Part 6: part6.md
        rag.main(["--out", str(args.out)] + ["--quick"] * args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
