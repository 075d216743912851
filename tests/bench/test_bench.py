"""The benchmark's own code, checked in seconds: what it reads off the wire,
its arithmetic, its pass criteria and its capacity search, and its tables.
The measurements themselves take minutes and belong to `make bench`.
"""

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bench import crud, streaming, waiting
from bench.__main__ import write_report
from bench.common import percentile
from bench.http_load import status_and_length
from bench.sse_load import DONE, ERROR, OTHER, TOKEN, SSEProtocol, Stream, event_kind

HEAD = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"


def chunked(*parts: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


def feed(pieces: list[bytes]) -> Stream:
    """Hand `pieces` to the protocol as the network would, one read each."""

    async def main() -> Stream:
        protocol = SSEProtocol()
        for piece in pieces:
            protocol.data_received(piece)
        return protocol.stream

    return asyncio.run(main())


# --- Reading the wire ---------------------------------------------------------


def test_chunked_events_split_anywhere_are_read_whole() -> None:
    wire = HEAD + chunked(
        b'event: delta\ndata: {"text": "a"}\n\nevent: delta\ndata: {"text": "b"}\n\n',
        b": ping\n\n",
        b"event: done\ndata: {}\n\n",
    )
    stream = feed([wire[i : i + 7] for i in range(0, len(wire), 7)])
    assert len(stream.tokens) == 2
    assert stream.complete


def test_an_error_status_fails_the_stream() -> None:
    stream = feed([b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 2\r\n\r\n{}"])
    assert stream.error == "HTTP 503"
    assert not stream.complete


def test_an_error_event_fails_the_stream() -> None:
    stream = feed([HEAD + chunked(b'event: error\ndata: {"status": 504}\n\n')])
    assert stream.error == "an error event"


@pytest.mark.parametrize(
    ("event", "kind"),
    [
        (b'event: delta\ndata: {"text": "a"}', TOKEN),
        (b"event: done\ndata: {}", DONE),
        (b"event: error\ndata: {}", ERROR),
        (b": ping", OTHER),
        (b'data: {"choices":[{"delta":{"content":"Once"}}]}', TOKEN),
        (
            b'data: {"choices": [{"delta": {"role": "assistant", "content": ""}}]}',
            OTHER,
        ),
        (b"data: [DONE]", DONE),
        (b'data: {"error": {"message": "broke"}}', ERROR),
    ],
)
def test_events_are_told_apart_by_their_first_bytes(event: bytes, kind: str) -> None:
    assert event_kind(event) == kind


def test_a_response_head_gives_its_status_and_length() -> None:
    head = (
        b"HTTP/1.1 201 Created\r\ncontent-type: application/json\r\nContent-Length: 57"
    )
    assert status_and_length(head) == (201, 57)


def test_a_chunked_plain_response_is_refused() -> None:
    with pytest.raises(ValueError, match="chunked"):
        status_and_length(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked")


# --- Arithmetic and criteria --------------------------------------------------


def test_gaps_are_the_times_between_consecutive_tokens() -> None:
    stream = Stream(sent_at=1.0, tokens=[1.5, 1.55, 1.7], done_at=1.8)
    assert stream.gaps() == pytest.approx([0.05, 0.15])
    assert stream.first_token_s == pytest.approx(0.5)
    assert stream.duration_s == pytest.approx(0.8)


def test_percentiles_interpolate_and_an_empty_list_gives_zero() -> None:
    assert percentile(list(range(101)), 0.99) == pytest.approx(99)
    assert percentile([1.0, 2.0], 0.5) == pytest.approx(1.5)
    assert percentile([], 0.99) == 0


ALONE = {"wall_s": 2.0, "first_token_s": 0.05}


def streams(count: int, first: float = 0.05, gap: float = 0.05) -> list[Stream]:
    """`count` streams sent at 0, each with 40 tokens `gap` apart."""
    tokens = [first + n * gap for n in range(40)]
    return [Stream(0.0, tokens, tokens[-1] + 0.01) for _ in range(count)]


def test_streams_on_time_are_served() -> None:
    assert streaming.verdict(streams(10), ALONE, spread=False)["served"]


def test_a_stutter_in_the_gaps_is_not_served() -> None:
    stuttering = streams(10, gap=0.06)
    stuttering[0].tokens[20:] = [t + 0.3 for t in stuttering[0].tokens[20:]]
    found = streaming.verdict(stuttering * 10, ALONE, spread=False)
    assert found["gap_p99_ms"] > 100
    assert not found["served"]


def test_a_late_first_token_is_not_served_though_the_gaps_are_even() -> None:
    late = streams(10, first=1.2, gap=0.02)  # same wall time, first token 1.15 s late
    found = streaming.verdict(late, ALONE, spread=False)
    assert found["wall_ratio"] <= streaming.WALL_LIMIT
    assert not found["served"]


def test_an_incomplete_stream_is_not_served() -> None:
    broken = streams(10)
    broken[3].error = "connection closed before the end"
    assert not streaming.verdict(broken, ALONE, spread=False)["served"]


def test_spread_arrivals_count_each_streams_own_duration() -> None:
    spread = streams(10)
    for number, stream in enumerate(spread):  # one started every second
        stream.sent_at += number
        stream.tokens = [t + number for t in stream.tokens]
        assert stream.done_at is not None
        stream.done_at += number
    assert streaming.verdict(spread, ALONE, spread=True)["served"]
    assert not streaming.verdict(spread, ALONE, spread=False)["served"]


def search_for(limit: int, steps: list[int]) -> tuple[int, list[int]]:
    """Run the search against an app that serves up to `limit` streams."""
    search, tried = streaming.Search(steps), []
    while (count := search.next()) is not None:
        tried.append(count)
        search.record(count, count <= limit)
    return search.best, tried


def test_search_steps_up_then_bisects_to_within_ten_percent() -> None:
    best, tried = search_for(130, [25, 50, 100, 200, 400])
    assert tried[:4] == [25, 50, 100, 200]
    assert 130 * 0.9 <= best <= 130


def test_search_below_the_first_step_bisects_from_zero() -> None:
    assert search_for(7, [20, 40])[0] == 7


# --- The report ---------------------------------------------------------------


def part5_results(part5: int, naive: int, sse_relay: int) -> dict[str, Any]:
    step = streaming.verdict(streams(3), ALONE, spread=False) | {"asked": 3}
    found = {"part5": part5, "naive": naive, "relay": 200, "sse_relay": sse_relay}
    apps = {
        k: {"capacity": n, "capped": False, "steps": [step]} for k, n in found.items()
    }
    return {
        "workloads": {w: {"apps": apps} for w in streaming.WORKLOADS},
        "first_token": {"direct_ms": 2.0, "part5_ms": 9.0},
        "holding": streaming.verdict(streams(500), ALONE, spread=False),
    }


def verdicts(rows: list[str]) -> list[str]:
    return [row.rsplit(" | ", 1)[1] for row in rows]


def test_part5_passes_at_twice_the_naive_and_half_the_relay(tmp_path: Path) -> None:
    assert (
        verdicts(streaming.report(part5_results(80, 40, 160), tmp_path)) == ["pass"] * 4
    )


def test_part5_misses_below_twice_the_naive_and_half_the_relay(tmp_path: Path) -> None:
    found = verdicts(streaming.report(part5_results(79, 40, 161), tmp_path))
    assert found[:2] == ["**miss**", "**miss**"]


def crud_results(part_rps: float, tutorial_rps: float) -> dict[str, Any]:
    cells = {}
    for key in crud.APPS:
        rps = tutorial_rps if key.startswith("tutorial") else part_rps
        for w in crud.WORKLOADS:
            for c in crud.CONNECTIONS:
                cells[f"{key} {w} {c}"] = {"rps": rps, "p99_ms": 1.0, "errors": 0}
    return {"cells": cells}


def test_a_part_at_par_with_the_tutorial_style_passes(tmp_path: Path) -> None:
    assert set(verdicts(crud.report(crud_results(95, 100), tmp_path))) == {"pass"}


def test_a_part_below_the_tutorial_style_misses(tmp_path: Path) -> None:
    assert "**miss**" in verdicts(crud.report(crud_results(94, 100), tmp_path))


def test_a_part_whose_yardstick_stalled_passes(tmp_path: Path) -> None:
    assert set(verdicts(crud.report(crud_results(50, 0), tmp_path))) == {"pass"}


def test_a_blocked_loop_projects_its_wall_time_from_its_pace() -> None:
    cut_off = {"label": "blocking", "answered": 20, "wall_s": 10.0}
    assert waiting.latencies(cut_off) == pytest.approx(200)


def test_the_report_writes_every_table_the_page_includes(tmp_path: Path) -> None:
    results = {
        "waiting": [
            {"label": w[1], "answered": 200, "wall_s": 0.6} for w in waiting.WAYS
        ],
        "crud": crud_results(100, 100),
        "part5": part5_results(80, 40, 160),
        "notes": {"date": "today"},
    }
    assert write_report(results, tmp_path) == 0
    page = (Path(__file__).parents[2] / "docs" / "performance.md").read_text()
    for table in sorted(tmp_path.glob("*.md")):
        assert f"docs/performance/{table.name}" in page, table.name
