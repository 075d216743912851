"""Turn the results JSON into Markdown tables, charts and the list of targets.

Everything here reads only the JSON, so `python -m bench --report-only`
redraws the chapter's tables and charts without measuring again.
"""

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # draw to files; no window, no display needed
import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter

from .scenarios import APPS, CONNECTIONS, MISTAKE_CELLS, MISTAKES, STORES, WORKLOADS

Results = dict[str, Any]
LABELS = {app.key: app.label for app in APPS}
ROLE_COLOURS = {
    "part": "#00897b",
    "async twin": "#f9a825",
    "baseline": "#78909c",
    "ceiling": "#cfd8dc",
}
# The parts measured against the tutorial-style yardstick on the same database.
COMPARED = [("part3", "tutorial_sqlite"), ("part4", "tutorial_mysql")]
CEILINGS = {
    "part2": "ceiling_memory",
    "part3": "ceiling_sqlite",
    "part4": "ceiling_mysql",
    "part4_async": "ceiling_mysql",
}
BASELINE_SHARE = 0.95
NOT_MEASURED = "n/a"
FAKE_MODEL_BOUND = 1.5


@dataclass
class Target:
    claim: str
    measured: str
    passed: bool | None  # None: not measured in this run
    note: str = ""

    @property
    def verdict(self) -> str:
        return {True: "pass", False: "**miss**", None: "not measured"}[self.passed]


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def cell(
    results: Results, app: str, workload: str, connections: int, section: str = "crud"
) -> Any:
    for measured in results.get(section, {}).get("cells", []):
        if (measured["app"], measured["workload"], measured["connections"]) == (
            app,
            workload,
            connections,
        ):
            return measured
    return None


def store_label(app: str) -> str:
    return next(STORES[a.store] for a in APPS if a.key == app)


# --------------------------------------------------------------------------
# Tables


def fake_model_table(results: Results) -> str:
    rows = []
    for way in results.get("fake_model", []):
        if way["finished"]:
            wall = f"{way['wall_s']:.2f} s"
            ratio = f"{way['wall_s'] / way['latency_s']:.1f}x"
        else:  # stopped at the deadline: say so, and what the rate implies
            projected = way["requests"] / way["rps"] if way["rps"] else float("inf")
            wall = f"stopped at {way['wall_s']:.0f} s (about {projected:.0f} s)"
            ratio = f"about {projected / way['latency_s']:.0f}x"
        rows.append(
            [
                way["label"],
                wall,
                ratio,
                f"{way['rps']:.1f}",
                f"{way['answered']} of {way['requests']}",
                str(way["errors"]),
            ]
        )
    header = ["way of waiting", "wall time", "vs one latency", "req/s"]
    return table([*header, "answered", "errors"], rows)


def crud_table(results: Results, workload: str) -> str:
    """One row per app: speed and latency at each concurrency, and errors."""
    rows = []
    for app in results.get("crud", {}).get("apps", []):
        row, errors = [f"{LABELS[app]}, {store_label(app)}"], 0
        for connections in CONNECTIONS:
            measured = cell(results, app, workload, connections)
            if measured is None:
                row += [NOT_MEASURED, NOT_MEASURED]
                continue
            latency = f"{measured['p50_ms']:.1f} / {measured['p99_ms']:.1f}"
            row += [
                f"{measured['rps']:.0f}",
                latency if measured["requests"] else "none answered",
            ]
            errors += measured["errors"]
        rows.append([*row, str(errors)])
    header = ["app"]
    for connections in CONNECTIONS:
        header += [f"{connections} conn. req/s", "p50 / p99 ms"]
    return table([*header, "errors"], rows)


def ratio(
    results: Results, app: str, other: str, workload: str, connections: int
) -> float | None:
    """How many times `other`'s requests per second `app` managed."""
    mine, theirs = (cell(results, a, workload, connections) for a in (app, other))
    if mine is None or theirs is None:
        return None
    if not theirs["rps"]:  # the other app stalled completely
        return math.inf if mine["rps"] else 0.0
    return float(mine["rps"] / theirs["rps"])


def times(share: float | None) -> str:
    if share is None:
        return NOT_MEASURED
    return "∞ (the other stalled)" if math.isinf(share) else f"{share:.2f}x"


def ratio_table(results: Results, pairs: list[tuple[str, str]]) -> str:
    rows = []
    for app, other in pairs:
        for workload in WORKLOADS:
            shares = [ratio(results, app, other, workload, c) for c in CONNECTIONS]
            if all(share is None for share in shares):
                continue
            rows.append(
                [f"{LABELS[app]} ({store_label(app)})", workload]
                + [times(share) for share in shares]
            )
    return table(["app", "workload", *(f"{c} conn." for c in CONNECTIONS)], rows)


def mistakes_table(results: Results) -> str:
    """Each mistake beside the tutorial-style app it spoils, same cell."""
    rows = []
    for mistake in MISTAKES:
        if mistake.role != "mistake":
            continue
        baseline = next(
            a for a in MISTAKES if a.role == "baseline" and a.store == mistake.store
        )
        for workload, connections in MISTAKE_CELLS:
            found = [
                cell(results, a.key, workload, connections, "mistakes")
                for a in (baseline, mistake)
            ]
            if None in found:
                continue
            for app, measured in zip((baseline, mistake), found, strict=True):
                share = measured["rps"] / found[0]["rps"] if found[0]["rps"] else 0
                rows.append(
                    [
                        STORES[app.store],
                        app.label,
                        f"{workload}s at {connections}",
                        f"{measured['rps']:.0f}",
                        f"{measured['p50_ms']:.1f} / {measured['p99_ms']:.1f}",
                        str(measured["errors"]),
                        f"{share:.2f}x",
                    ]
                )
    header = ["database", "app", "load", "req/s", "p50 / p99 ms", "errors"]
    return table([*header, "vs tutorial style"], rows)


def ceiling_table(results: Results) -> str:
    return ratio_table(results, list(CEILINGS.items()))


def sync_async_table(results: Results) -> str:
    return ratio_table(results, [("part4_async", "part4")])


def first_error(results: Results, apps: set[str], connections: int | None) -> str:
    """One example of what went wrong, in the load generator's words."""
    for measured in results.get("crud", {}).get("cells", []):
        if measured["app"] in apps and connections in (None, measured["connections"]):
            for sample in measured["error_samples"]:
                return f"{LABELS[measured['app']]}: {sample}"
    return ""


def targets(results: Results) -> list[Target]:
    found = []
    awaited = next(
        (w for w in results.get("fake_model", []) if w["way"] == "awaited"), None
    )
    claim = (
        f"200 requests to the awaited fake model finish within "
        f"{FAKE_MODEL_BOUND}x one latency"
    )
    if awaited is None:
        found.append(Target(claim, NOT_MEASURED, None))
    else:
        share = awaited["wall_s"] / awaited["latency_s"]
        ok = awaited["finished"] and not awaited["errors"]
        note = (
            "" if ok else f"{awaited['answered']} answered, {awaited['errors']} errors"
        )
        found.append(
            Target(claim, f"{share:.2f}x", ok and share <= FAKE_MODEL_BOUND, note)
        )
    levels = ", ".join(map(str, CONNECTIONS))
    for app, baseline in COMPARED:
        for workload in WORKLOADS:
            shares = [ratio(results, app, baseline, workload, c) for c in CONNECTIONS]
            measured = [share for share in shares if share is not None]
            found.append(
                Target(
                    f"{LABELS[app]} {workload}s at {levels} connections: at least "
                    f"{BASELINE_SHARE}x the tutorial style's req/s at each",
                    " / ".join(times(share) for share in shares),
                    None if not measured else min(measured) >= BASELINE_SHARE,
                )
            )
        at_64 = [cell(results, app, w, 64) for w in WORKLOADS]
        errors = [m["errors"] for m in at_64 if m is not None]
        found.append(
            Target(
                f"{LABELS[app]}: no errors at 64 connections",
                f"{sum(errors)} errors" if errors else NOT_MEASURED,
                (sum(errors) == 0) if errors else None,
                first_error(results, {app}, 64),
            )
        )
    parts = {app.key for app in APPS if app.role == "part"}
    every = [m for m in results.get("crud", {}).get("cells", []) if m["app"] in parts]
    total = sum(m["errors"] for m in every)
    found.append(
        Target(
            "the parts: no errors in any run",
            f"{total} errors in {sum(m['requests'] for m in every)} requests",
            total == 0 if every else None,
            first_error(results, parts, None),
        )
    )
    return found


def all_targets(results: Results) -> list[Target]:
    """The targets of every section: the CRUD parts', then Part 5's."""
    from . import report_part5  # it imports this module's helpers

    return targets(results) + report_part5.targets(results)


def targets_table(found: list[Target]) -> str:
    rows = [[t.claim, t.measured, t.verdict, t.note] for t in found]
    return table(["target", "measured", "result", "first error seen"], rows)


def run_table(results: Results) -> str:
    meta = results["meta"]
    rows = [
        ["date", meta["date"]],
        ["mode", meta["mode"]],
        ["machine", f"{meta['cpus']} CPUs: {meta.get('processor', 'unknown')}"],
        ["system", meta["platform"]],
        ["Python", meta["python"]],
        [
            "each measurement",
            f"{meta['rounds']} rounds of {meta['seconds']} s "
            f"after {meta['warmup']} s of warm-up",
        ],
    ]
    skipped = results.get("crud", {}).get("skipped", [])
    rows += [[f"skipped: {s['label']}", s["reason"]] for s in skipped]
    return table(["setting", "value"], rows)


# --------------------------------------------------------------------------
# Charts


def fake_model_chart(results: Results, path: Path) -> None:
    ways = results.get("fake_model", [])
    if not ways:
        return
    figure, axes = plt.subplots(figsize=(8, 2.6), layout="constrained")
    labels = [way["label"] for way in ways]
    walls = [way["wall_s"] for way in ways]
    bars = axes.barh(labels, walls, color=["#00897b", "#78909c", "#e53935"])
    for bar, way in zip(bars, ways, strict=True):
        if not way["finished"]:
            bar.set_hatch("//")
        text = f" {way['wall_s']:.2f} s" + ("" if way["finished"] else " (stopped)")
        axes.text(
            bar.get_width(), bar.get_y() + bar.get_height() / 2, text, va="center"
        )
    latency = ways[0]["latency_s"]
    axes.axvline(latency, color="black", linestyle="--", linewidth=1)
    axes.text(latency, -0.75, " one latency", fontsize=8)
    axes.set_xscale("log")
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g} s"))
    axes.set_xlim(latency / 2, max(walls) * 4)
    axes.invert_yaxis()
    axes.set_xlabel(f"seconds until all {ways[0]['requests']} answers (log scale)")
    figure.savefig(path, dpi=110)
    plt.close(figure)


def crud_chart(results: Results, workload: str, path: Path) -> None:
    keys = results.get("crud", {}).get("apps", [])
    stores = [s for s in STORES if any(a.store == s and a.key in keys for a in APPS)]
    if not stores:
        return
    figure, all_axes = plt.subplots(
        1, len(stores), figsize=(3.6 * len(stores), 4), layout="constrained"
    )
    axes_list = list(all_axes) if len(stores) > 1 else [all_axes]
    for axes, store in zip(axes_list, stores, strict=True):
        apps = [a for a in APPS if a.store == store and a.key in keys]
        width = 0.8 / len(apps)
        for number, app in enumerate(apps):
            measured = [cell(results, app.key, workload, c) for c in CONNECTIONS]
            rps = [0 if m is None else m["rps"] for m in measured]
            offset = (number - (len(apps) - 1) / 2) * width
            positions = [i + offset for i in range(len(CONNECTIONS))]
            axes.bar(
                positions,
                rps,
                width,
                label=app.label,
                color=ROLE_COLOURS[app.role],
                edgecolor="#37474f",
            )
            for x, m in zip(positions, measured, strict=True):
                if m is not None and m["errors"] and not m["requests"]:
                    axes.text(
                        x,
                        0,
                        " stalled",
                        rotation=90,
                        ha="center",
                        va="bottom",
                        fontsize=8,
                        color="#c62828",
                    )
        axes.set_xticks(range(len(CONNECTIONS)), [str(c) for c in CONNECTIONS])
        axes.set_xlabel("concurrent connections")
        axes.set_title(STORES[store])
        axes.legend(
            loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2, frameon=False
        )
    axes_list[0].set_ylabel(f"{workload}s per second")
    figure.savefig(path, dpi=110)
    plt.close(figure)


# --------------------------------------------------------------------------


def write(results: Results, folder: Path) -> list[Target]:
    """Write every table and chart the chapter includes; return the targets."""
    from . import report_part5  # it imports this module's helpers

    folder.mkdir(parents=True, exist_ok=True)
    found = all_targets(results)
    crud_targets = targets(results)  # Part 5's have a table in its own section
    pages = {
        "run.md": run_table(results),
        "fake_model.md": fake_model_table(results),
        "crud_read.md": crud_table(results, "read"),
        "crud_write.md": crud_table(results, "write"),
        "baseline.md": ratio_table(results, COMPARED),
        "ceiling.md": ceiling_table(results),
        "sync_async.md": sync_async_table(results),
        "mistakes.md": mistakes_table(results),
        "targets.md": targets_table(crud_targets),
    }
    for name, text in pages.items():
        (folder / name).write_text(text)
    fake_model_chart(results, folder / "fake_model.png")
    for workload in WORKLOADS:
        crud_chart(results, workload, folder / f"crud_{workload}.png")
    report_part5.write(results, folder)
    return found
