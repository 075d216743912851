"""Part 5's tables, chart and targets, drawn from `results["part5"]` alone."""

import statistics
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter

from .part5 import APPS, GAP_LIMIT_MS, WALL_LIMIT
from .report import NOT_MEASURED, Results, Target, table, targets_table

LABELS = {app.key: app.label for app in APPS}
CEILING_SHARE = 0.8  # Part 5's capacity, at least this share of the relay's
NAIVE_TIMES = 3.0  # and at least this many times the naive version's
FIRST_TOKEN_ADDED_MS = 10.0


def section(results: Results) -> dict[str, Any]:
    return dict(results.get("part5", {}))


def capacities(found: dict[str, Any], key: str) -> list[int]:
    return [
        r["capacity"] for r in found.get("capacity", {}).get(key, {}).get("rounds", [])
    ]


def capacity(found: dict[str, Any], key: str) -> float | None:
    """The median of the rounds' capacities: one noisy round does not decide."""
    values = capacities(found, key)
    return float(statistics.median(values)) if values else None


def served_at(found: dict[str, Any], key: str, count: int) -> dict[str, Any] | None:
    """The first round's measurement of `key` at `count` streams."""
    rounds = found.get("capacity", {}).get(key, {}).get("rounds", [])
    steps = rounds[0]["steps"] if rounds else []
    return next((step for step in steps if step["count"] == count), None)


# --------------------------------------------------------------------------
# Tables


def run_table(results: Results) -> str:
    found = section(results)
    meta: dict[str, Any] = found.get("run") or results.get("meta") or {}
    part5 = found.get("meta", {})
    rows = [
        ["date", meta.get("date", NOT_MEASURED)],
        ["mode", meta.get("mode", NOT_MEASURED)],
        ["machine", f"{meta.get('cpus')} CPUs: {meta.get('processor', 'unknown')}"],
        ["Python", meta.get("python", NOT_MEASURED)],
        [
            "one stream",
            f"{part5.get('tokens')} tokens at {part5.get('token_rate'):g} per second"
            if part5
            else NOT_MEASURED,
        ],
        ["rounds of the capacity search", str(part5.get("rounds", NOT_MEASURED))],
        [
            "load average (1, 5, 15 min) before / after",
            " / ".join(
                ", ".join(f"{v:.2f}" for v in part5.get(k, []))
                for k in ("load_average_before", "load_average_after")
            )
            or NOT_MEASURED,
        ],
    ]
    rows += [[f"skipped: {s['label']}", s["reason"]] for s in found.get("skipped", [])]
    return table(["setting", "value"], rows)


def capacity_table(results: Results) -> str:
    found = section(results)
    ceiling, naive = capacity(found, "relay"), capacity(found, "naive")
    rows = []
    for key in found.get("apps", []):
        mine = capacity(found, key)
        one = found["capacity"][key]["one_stream_s"]
        capped = any(r["capped"] for r in found["capacity"][key]["rounds"])
        per_round = " / ".join(map(str, capacities(found, key)))
        rows.append(
            [
                LABELS[key],
                f"{mine:g}" + (" or more" if capped else "")
                if mine is not None
                else NOT_MEASURED,
                per_round,
                f"{one:.2f} s",
                share(mine, ceiling),
                share(mine, naive),
            ]
        )
    header = ["app", "capacity (streams)", "each round", "one stream alone"]
    return table([*header, "vs bare relay", "vs naive"], rows)


def share(mine: float | None, other: float | None) -> str:
    if mine is None or not other:
        return NOT_MEASURED
    return f"{mine / other:.2f}x"


def steps_table(results: Results) -> str:
    """Every count each app was tried at, in the first round."""
    found = section(results)
    rows = []
    for key in found.get("apps", []):
        rounds = found["capacity"][key]["rounds"]
        for step in (
            sorted(rounds[0]["steps"], key=lambda s: s["count"]) if rounds else []
        ):
            rows.append(
                [
                    LABELS[key],
                    str(step["count"]),
                    f"{step['completed']} of {step['count']}",
                    f"{step['wall_ratio']:.2f}x",
                    f"{step['gap_p50_ms']:.0f} / {step['gap_p99_ms']:.0f}",
                    "yes" if step["served"] else "no",
                ]
            )
    header = ["app", "streams", "complete", "wall vs one stream"]
    return table([*header, "gap p50 / p99 ms", "served"], rows)


def cpu_table(results: Results) -> str:
    """CPU per token in each process, at the largest count every app ran."""
    found = section(results)
    keys = found.get("apps", [])
    counts = [
        {s["count"] for s in found["capacity"][k]["rounds"][0]["steps"]} for k in keys
    ]
    common = max(set.intersection(*counts), default=None) if counts else None
    rows = []
    for key in keys:
        step = served_at(found, key, common) if common else None
        if step is None or not step["tokens"]:
            continue
        per_token = {
            name: seconds * 1e6 / step["tokens"]
            for name, seconds in step["cpu_s"].items()
        }
        rows.append(
            [
                LABELS[key],
                str(common),
                f"{per_token['app']:.0f}",
                f"{per_token['provider']:.0f}",
                f"{per_token['client']:.0f}",
            ]
        )
    header = ["app", "streams", "app µs/token", "provider µs/token"]
    return table([*header, "load client µs/token"], rows)


def reading_table(results: Results) -> str:
    """The app's CPU per token for each way of reading the provider's stream."""
    ways = section(results).get("reading", [])
    relay = next((w for w in ways if w["way"] == "relay" and w["us_per_token"]), None)
    floor = statistics.median(relay["us_per_token"]) if relay else None
    rows = []
    for way in ways:
        if not way["us_per_token"]:
            continue
        mine = statistics.median(way["us_per_token"])
        rows.append(
            [
                way["label"],
                f"{mine:.0f}",
                " / ".join(f"{value:.0f}" for value in way["us_per_token"]),
                share(mine, floor),
            ]
        )
    if not rows:
        return "Not measured in this run.\n"
    count = ways[0]["count"]
    header = [f"reading {count} streams", "app µs/token (median)", "each run"]
    return table([*header, "vs bare relay"], rows)


def profile_table(results: Results) -> str:
    found = section(results).get("profile")
    if not found:
        return "Not measured in this run.\n"
    if "skipped" in found:
        return f"Not measured: {found['skipped']}.\n"
    per_token_us = (
        found["cpu_s"]["app"] * 1e6 / found["tokens"] if found["tokens"] else 0
    )
    rows = [
        [name, f"{fraction:.0%}", f"{fraction * per_token_us:.0f}"]
        for name, fraction in found["layers"]
    ]
    return table(["layer", "share of the app's CPU", "µs per token"], rows)


def functions_table(results: Results) -> str:
    found = section(results).get("profile")
    if not found or "skipped" in found:
        return "Not measured in this run.\n"
    rows = [[f"`{name}`", f"{fraction:.1%}"] for name, fraction in found["functions"]]
    return table(["function (where the CPU was when sampled)", "share"], rows)


def first_token_table(results: Results) -> str:
    found = section(results).get("first_token")
    if not found:
        return "Not measured in this run.\n"
    direct = statistics.median(found["direct_ms"])
    rows = [["the fake provider, called directly", f"{direct:.1f}", "none"]]
    for key, times in found["apps"].items():
        mine = statistics.median(times)
        rows.append([LABELS[key], f"{mine:.1f}", f"{mine - direct:+.1f}"])
    return table(["called", "median ms to first token", "added by the app (ms)"], rows)


def holding_table(results: Results) -> str:
    rows = []
    for held in section(results).get("holding", []):
        rows.append(
            [
                LABELS[held["app"]],
                str(held["count"]),
                f"{held['completed']} of {held['count']}",
                str(held["count"] - held["completed"]),
                f"{held['wall_s']:.1f} s ({held['wall_ratio']:.1f}x)",
                f"{held['gap_p99_ms']:.0f}",
            ]
        )
    header = ["app", "streams at once", "complete", "errors", "wall time (vs one)"]
    return table([*header, "gap p99 ms"], rows)


# --------------------------------------------------------------------------
# Targets


def targets(results: Results) -> list[Target]:
    found = section(results)
    mine, ceiling, naive = (capacity(found, k) for k in ("part5", "relay", "naive"))
    note = "capacities: " + ", ".join(
        f"{LABELS[k]} {capacity(found, k):g}"
        for k in found.get("apps", [])
        if capacity(found, k) is not None
    )
    measured = []
    for other, wanted, words in (
        (ceiling, CEILING_SHARE, "the bare relay's"),
        (naive, NAIVE_TIMES, "the naive version's"),
    ):
        claim = f"Part 5's capacity in streams: at least {wanted:g}x {words}"
        if mine is None or other is None or not other:
            measured.append(Target(claim, NOT_MEASURED, None))
        else:
            measured.append(
                Target(claim, f"{mine / other:.2f}x", mine / other >= wanted, note)
            )
    first = found.get("first_token")
    claim = (
        f"Part 5 adds at most {FIRST_TOKEN_ADDED_MS:g} ms to the first token (median)"
    )
    if first and "part5" in first["apps"]:
        added = statistics.median(first["apps"]["part5"]) - statistics.median(
            first["direct_ms"]
        )
        measured.append(Target(claim, f"{added:.1f} ms", added <= FIRST_TOKEN_ADDED_MS))
    else:
        measured.append(Target(claim, NOT_MEASURED, None))
    held = next((h for h in found.get("holding", []) if h["app"] == "part5"), None)
    claim = "Part 5 holds 500 streams at once: all complete, no error"
    if held is None:
        measured.append(Target(claim, NOT_MEASURED, None))
    else:
        measured.append(
            Target(
                claim.replace("500", str(held["count"])),
                f"{held['completed']} of {held['count']} in {held['wall_s']:.1f} s",
                held["completed"] == held["count"],
                "; ".join(held["errors"]),
            )
        )
    return measured


def bounds_table(results: Results) -> str:
    """The two capacity targets next to the most a fastapi.sse app reached."""
    found = section(results)
    ceiling, naive, sse = (capacity(found, k) for k in ("relay", "naive", "sse_relay"))
    naive_times = NAIVE_TIMES * naive if naive is not None else None
    relay_share = CEILING_SHARE * ceiling if ceiling is not None else None
    rows: list[tuple[str, float | None]] = [
        ("the relay via fastapi.sse: the most a fastapi.sse app reached", sse),
        (f"Part 5's target: {CEILING_SHARE:g}x the bare relay's", relay_share),
        (f"Part 5's target: {NAIVE_TIMES:g}x the naive version's", naive_times),
    ]
    return table(
        ["capacity", "vs bare relay"],
        [[name, share(value, ceiling)] for name, value in rows],
    )


# --------------------------------------------------------------------------
# Chart


GAP_TICKS = [20, 50, 100, 200, 500, 1000, 2000, 5000, 10000]
WALL_TICKS = [1, 1.1, 1.2, 1.5, 2, 3, 5, 10, 20, 50]
LINE_STYLES = {
    "part": {"marker": "o", "color": "#00897b"},
    "baseline": {"marker": "s", "color": "#e53935"},
    "ceiling": {"marker": "^", "color": "#546e7a", "linestyle": "--"},
    "bound": {"marker": "v", "color": "#8e24aa", "linestyle": "--"},
}


def capacity_chart(results: Results, path: Path) -> None:
    """The p99 gap and the wall time against the number of streams, per app."""
    found = section(results)
    keys = found.get("apps", [])
    if not keys:
        return
    figure, (gaps, walls) = plt.subplots(1, 2, figsize=(9, 3.6), layout="constrained")
    roles = {app.key: app.role for app in APPS}
    for key in keys:
        steps = sorted(
            found["capacity"][key]["rounds"][0]["steps"], key=lambda s: s["count"]
        )
        counts = [s["count"] for s in steps]
        style: dict[str, Any] = {**LINE_STYLES[roles[key]], "label": LABELS[key]}
        gaps.plot(counts, [s["gap_p99_ms"] for s in steps], **style)
        walls.plot(counts, [s["wall_ratio"] for s in steps], **style)
    for axes, limit, text, ticks in (
        (gaps, GAP_LIMIT_MS, "gap between tokens, p99 (ms)", GAP_TICKS),
        (walls, WALL_LIMIT, "wall time / one stream alone", WALL_TICKS),
    ):
        axes.axhline(limit, color="black", linestyle=":", linewidth=1)
        axes.text(
            0.01,
            limit,
            " limit",
            transform=axes.get_yaxis_transform(),
            va="bottom",
            fontsize=8,
        )
        axes.set_xlabel("streams at once")
        axes.set_ylabel(text)
        axes.set_yscale("log")
        low, high = axes.get_ylim()
        axes.set_yticks([t for t in ticks if low <= t <= high])
        axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        axes.yaxis.set_minor_formatter(FuncFormatter(lambda value, _: ""))
    figure.legend(
        *gaps.get_legend_handles_labels(),
        loc="outside lower center",
        ncols=4,
        frameon=False,
    )
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write(results: Results, folder: Path) -> None:
    if not section(results):
        return
    pages = {
        "part5_run.md": run_table(results),
        "part5_capacity.md": capacity_table(results),
        "part5_steps.md": steps_table(results),
        "part5_cpu.md": cpu_table(results),
        "part5_profile.md": profile_table(results),
        "part5_reading.md": reading_table(results),
        "part5_functions.md": functions_table(results),
        "part5_first_token.md": first_token_table(results),
        "part5_holding.md": holding_table(results),
        "part5_targets.md": targets_table(targets(results)),
        "part5_bounds.md": bounds_table(results),
    }
    for name, text in pages.items():
        (folder / name).write_text(text)
    capacity_chart(results, folder / "part5_capacity.png")
