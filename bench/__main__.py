"""Run the benchmarks: `python -m bench` from the repository root (`make bench`).

Every server is a real uvicorn process on 127.0.0.1, started on a free port
and stopped at the end; every database is a throwaway one. The results go to
docs/performance/ as results.json, Markdown tables and PNG charts, which the
Performance chapter includes.
"""

import argparse
import json
import os
import platform
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

from tests.serving import ROOT

from . import part5, rag, report, scenarios
from .databases import Databases

OUT = ROOT / "docs" / "performance"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="short runs for trying the bench out; too noisy to publish",
    )
    parser.add_argument(
        "--only",
        choices=["fake-model", "crud", "part5", "rag"],
        help="run one scenario and keep the others' results from the last run",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="redraw tables and charts from results.json without measuring",
    )
    parser.add_argument("--out", type=Path, default=OUT, help="where to write")
    return parser.parse_args()


def settings(quick: bool) -> dict[str, float]:
    if quick:
        return {"seconds": 0.5, "rounds": 1, "warmup": 0.2, "deadline": 10.0}
    # Two rounds in opposite orders, so slow moments hurt every app alike. The
    # mistaken fake-model endpoint would need 100 s: 30 s show its rate.
    return {"seconds": 1.5, "rounds": 2, "warmup": 0.3, "deadline": 30.0}


def processor() -> str:
    """The CPU's model name, where the system says it."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    return platform.processor() or "unknown processor"


def measure(args: argparse.Namespace, results: report.Results) -> None:
    config = settings(args.quick)
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "mode": "quick (not for publication)" if args.quick else "full",
        "cpus": os.cpu_count(),
        "processor": processor(),
        "platform": platform.platform(terse=True),
        "python": platform.python_version(),
        "seconds": config["seconds"],
        "rounds": int(config["rounds"]),
        "warmup": config["warmup"],
    }
    if args.only != "part5":  # results.json, and its notes, stay as they were
        results["meta"] = meta
    if args.only in (None, "fake-model"):
        results["fake_model"] = scenarios.fake_model(
            requests=200, latency=0.5, deadline=config["deadline"]
        )
    if args.only in (None, "crud"):
        databases = Databases()
        try:
            results["crud"] = measure_apps(scenarios.APPS, databases, config)
            results["mistakes"] = measure_apps(
                scenarios.MISTAKES,
                databases,
                config,
                scenarios.MISTAKE_CELLS,
                title="an engine per request",
            )
        finally:
            databases.remove_all()
    if args.only in (None, "part5"):
        databases = Databases()
        try:
            plan = part5.QUICK if args.quick else part5.FULL
            measured = part5.streaming(databases, plan)
            # Its own copy of the run's notes: part5.json stands alone.
            results["part5"] = {"run": meta, **measured}
        finally:
            databases.remove_all()


def measure_apps(
    candidates: list[scenarios.App],
    databases: Databases,
    config: dict[str, float],
    cells: list[tuple[str, int]] | None = None,
    title: str = "reading and writing prompts",
) -> dict[str, Any]:
    """Measure the apps that can run here; say why the others were skipped."""
    apps, skipped = [], []
    mysql_missing = databases.mysql.unavailable_reason()
    for app in candidates:
        label = f"{app.label} ({scenarios.STORES[app.store]})"
        if not app.available():
            skipped.append({"label": label, "reason": f"{app.module} not found"})
        elif app.store == "mysql" and mysql_missing:
            skipped.append({"label": label, "reason": mysql_missing})
        else:
            apps.append(app)
    for skip in skipped:
        print(f"skipping {skip['label']}: {skip['reason']}")
    measured, failed = scenarios.crud(
        apps,
        databases,
        seconds=config["seconds"],
        rounds=int(config["rounds"]),
        warmup=config["warmup"],
        cells=cells,
        title=title,
    )
    started = [app.key for app in apps if app.key not in {f["key"] for f in failed}]
    return {"apps": started, "skipped": skipped + failed, "cells": measured}


def stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # Turn a polite kill into an exception, so that servers are stopped and
    # throwaway databases dropped on the way out.
    raise SystemExit(128 + signum)


def main() -> int:
    args = parse_args()
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    if args.only in (None, "rag") and not args.report_only:  # Part 6: part6.md
        rag.main(["--out", str(args.out)] + ["--quick"] * args.quick)
        if args.only:
            return 0
    results_path = args.out / "results.json"
    # Part 5's results have a file of their own, as its section of the page.
    part5_path = args.out / "part5.json"
    results: report.Results = {}
    if args.only or args.report_only:
        if results_path.exists():
            results = json.loads(results_path.read_text())
        if part5_path.exists():
            results["part5"] = json.loads(part5_path.read_text())
    if not args.report_only:
        started = time.monotonic()
        measure(args, results)
        print(f"measured in {time.monotonic() - started:.0f} s")
        args.out.mkdir(parents=True, exist_ok=True)
        streaming = results.pop("part5", None)
        if args.only != "part5":
            results_path.write_text(json.dumps(results, indent=2) + "\n")
        if streaming is not None:
            part5_path.write_text(json.dumps(streaming, indent=2) + "\n")
            results["part5"] = streaming
    if "meta" not in results and "part5" in results:
        results["meta"] = results["part5"]["run"]  # Part 5 measured alone
    if not results:
        print(f"nothing to report: {results_path} does not exist", file=sys.stderr)
        return 1
    found = report.write(results, args.out)
    print()
    print(report.targets_table(found))
    missed = sum(target.passed is False for target in found)
    print(f"{missed} targets missed. Tables and charts written to {args.out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
