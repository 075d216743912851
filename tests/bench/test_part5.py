"""Part 5's benchmark code, checked quickly: the SSE load client, its
arithmetic, the capacity search, the profile's reading and the report. The
measurements themselves take minutes and belong to `make bench`.
"""

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench import part5, report, report_part5, stacks
from bench.load import run
from bench.streams import (
    DONE,
    OTHER,
    TOKEN,
    Burst,
    SSEProtocol,
    Stream,
    app_event,
    burst,
    percentile,
    provider_event,
)
from tests.serving import ServerProcess

# --- Arithmetic ---------------------------------------------------------------


def test_gaps_are_the_times_between_consecutive_tokens() -> None:
    stream = Stream(sent_at=0.0, token_times=[0.1, 0.15, 0.3])
    assert stream.gaps() == pytest.approx([0.05, 0.15])
    assert stream.first_token_s == pytest.approx(0.1)


def test_percentile_takes_the_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]  # 1 .. 100
    assert percentile(values, 0.5) == 51.0  # rank round(0.5 * 99) = 50
    assert percentile(values, 0.99) == 99.0
    assert percentile(values, 1.0) == 100.0
    assert percentile([], 0.99) == 0.0


def test_a_burst_pools_the_gaps_of_all_its_streams() -> None:
    steady = Stream(
        sent_at=0.0, status=200, token_times=[0.05 * n for n in range(1, 41)]
    )
    stalled = Stream(sent_at=0.0, status=200, token_times=[0.05, 0.55], done_at=0.6)
    steady.done_at = 2.0
    outcome = Burst([steady, stalled], stopped=False)
    assert outcome.tokens == 42
    assert outcome.wall_s == pytest.approx(2.0)
    assert outcome.gap_ms(0.5) == pytest.approx(50)
    assert outcome.gap_ms(1.0) == pytest.approx(500)  # the one stall


def test_a_stream_without_its_done_event_is_incomplete() -> None:
    cut = Stream(sent_at=0.0, status=200, token_times=[0.1], error="connection closed")
    outcome = Burst([cut], stopped=False)
    assert outcome.completed == 0
    assert outcome.errors() == ["connection closed"]


# --- Reading the wire ---------------------------------------------------------


def test_events_are_classified_by_their_first_line() -> None:
    assert app_event(b'event: delta\ndata: {"text": "Hi"}') == TOKEN
    assert app_event(b"event: done\ndata: {}") == DONE
    assert app_event(b": ping") == OTHER


def test_provider_chunks_count_as_tokens_only_with_text() -> None:
    role = b'data: {"choices": [{"delta": {"role": "assistant", "content": ""}}]}'
    text = b'data: {"choices":[{"delta":{"content":"Once"}}]}'
    assert provider_event(role) == OTHER
    assert provider_event(text) == TOKEN
    assert provider_event(b"data: [DONE]") == DONE


def feed(pieces: list[bytes]) -> Stream:
    """Hand `pieces` to the protocol as the network would, one read each."""

    async def main() -> Stream:
        protocol = SSEProtocol(app_event)
        for piece in pieces:
            protocol.data_received(piece)
        return protocol.stream

    return asyncio.run(main())


def chunked(*parts: bytes) -> bytes:
    return (
        b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts) + b"0\r\n\r\n"
    )


HEAD = (
    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
    b"transfer-encoding: chunked\r\n\r\n"
)


def test_chunked_events_split_anywhere_are_read_whole() -> None:
    body = chunked(
        b'event: delta\ndata: {"text": "a"}\n\n',
        b'event: delta\ndata: {"text": "b"}\n\n: ping\n\n',
        b"event: done\ndata: {}\n\n",
    )
    wire = HEAD + body
    pieces = [wire[i : i + 7] for i in range(0, len(wire), 7)]  # awkward reads
    stream = feed(pieces)
    assert len(stream.token_times) == 2
    assert stream.complete


def test_an_error_status_ends_the_stream_as_failed() -> None:
    stream = feed([b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 2\r\n\r\n{}"])
    assert stream.status == 503
    assert not stream.complete
    assert stream.error == "HTTP 503"


def test_an_error_event_fails_the_stream() -> None:
    stream = feed([HEAD + chunked(b'event: error\ndata: {"status": 504}\n\n')])
    assert stream.error == "an error event"


# --- The capacity search ------------------------------------------------------


def search_for(limit: int, steps: list[int]) -> tuple[int, list[int]]:
    """Run the search against an app that serves up to `limit` streams."""
    search, tried = part5.Search(steps), []
    while (count := search.next_count()) is not None:
        tried.append(count)
        search.record(count, count <= limit)
    return search.best, tried


def test_search_steps_up_then_bisects_to_within_five_percent() -> None:
    best, tried = search_for(137, [25, 50, 100, 150, 200])
    assert tried[:4] == [25, 50, 100, 150]
    assert 137 * 0.95 <= best <= 137
    assert len(tried) <= 8


def test_search_below_the_first_step_bisects_from_zero() -> None:
    best, _ = search_for(10, [25, 50])
    assert 9 <= best <= 10


def test_search_that_serves_every_step_says_it_was_capped() -> None:
    search = part5.Search([5, 10])
    while (count := search.next_count()) is not None:
        search.record(count, True)
    assert search.best == 10 and search.capped


# --- The profile --------------------------------------------------------------

LOOP = "main (uvicorn/main.py:1);Runner.run (asyncio/runners.py:118)"
RAW = "\n".join(
    [
        f"{LOOP};Stream.__stream__ (openai/_streaming.py:1);"
        "loads (json/__init__.py:1) 6",
        f"{LOOP};_receive_event (httpcore/_async/http11.py:1);"
        "SocketStream.receive (anyio/_backends/_asyncio.py:1) 3",
        f"{LOOP} 1",
    ]
)


def test_profile_counts_helpers_for_the_component_that_called_them() -> None:
    found = stacks.read(RAW)
    assert found.samples == 10
    assert dict(found.share(found.layers)) == {
        "openai SDK": 0.6,
        "HTTP client (httpx, httpcore)": 0.3,
        stacks.EVENT_LOOP: 0.1,
    }
    assert found.functions["loads (json/__init__.py)"] == 6


# --- The report ---------------------------------------------------------------


def step(count: int, served: bool) -> dict[str, Any]:
    return {
        "count": count,
        "completed": count,
        "tokens": 40 * count,
        "wall_s": 2.1,
        "wall_ratio": 1.05 if served else 1.5,
        "gap_p50_ms": 50.0,
        "gap_p99_ms": 60.0 if served else 300.0,
        "gap_max_ms": 400.0,
        "first_token_p50_ms": 5.0,
        "cpu_s": {"app": 0.4 * count * 40 / 1000, "provider": 0.01, "client": 0.01},
        "stopped": False,
        "errors": [],
        "served": served,
    }


def sample_results(part5_capacity: int) -> dict[str, Any]:
    def app(best: int) -> dict[str, Any]:
        steps = [step(25, best >= 25), step(50, best >= 50)]
        return {
            "one_stream_s": 2.0,
            "rounds": [{"capacity": best, "capped": False, "steps": steps}],
        }

    return {
        "run": {
            "date": "today",
            "mode": "full",
            "cpus": 2,
            "platform": "test",
            "python": "3",
            "seconds": 1.0,
            "rounds": 1,
            "warmup": 0.1,
        },
        "meta": {"tokens": 40, "token_rate": 20.0, "rounds": 1},
        "apps": ["part5", "naive", "relay", "sse_relay"],
        "skipped": [],
        "capacity": {
            "part5": app(part5_capacity),
            "naive": app(10),
            "relay": app(40),
            "sse_relay": app(30),
        },
        "first_token": {"direct_ms": [2.0, 3.0], "apps": {"part5": [8.0, 9.0]}},
        "holding": [{"app": "part5", **step(500, True)}],
        "reading": [
            {"way": "objects", "label": "objects", "count": 25, "us_per_token": [600]},
            {"way": "relay", "label": "relay", "count": 25, "us_per_token": [300]},
        ],
    }


def verdicts(results: dict[str, Any]) -> list[str]:
    return [t.verdict for t in report_part5.targets({"part5": results})]


def test_report_passes_part5_near_the_ceiling_and_far_above_the_naive() -> None:
    assert verdicts(sample_results(part5_capacity=35)) == ["pass"] * 4


def test_report_misses_part5_far_below_the_ceiling() -> None:
    ceiling, naive, first_token, holding = verdicts(sample_results(part5_capacity=25))
    assert ceiling == "**miss**" and naive == "**miss**"
    assert first_token == holding == "pass"


def test_report_writes_part5_tables_and_chart(tmp_path: Path) -> None:
    found = sample_results(35)
    report.write({"meta": found["run"], "part5": found}, tmp_path)
    assert (tmp_path / "part5_capacity.png").exists()
    capacity = (tmp_path / "part5_capacity.md").read_text()
    assert "| Part 5 | 35 | 35 |" in capacity
    reading = (tmp_path / "part5_reading.md").read_text()
    assert "| objects | 600 | 600 | 2.00x |" in reading


def test_report_sets_the_targets_beside_the_fastapi_sse_relay(tmp_path: Path) -> None:
    found = sample_results(35)
    report.write({"meta": found["run"], "part5": found}, tmp_path)
    bounds = (tmp_path / "part5_bounds.md").read_text()
    assert "most a fastapi.sse app reached | 0.75x |" in bounds  # 30 of 40
    assert "0.8x the bare relay's | 0.80x |" in bounds
    assert "3x the naive version's | 0.75x |" in bounds  # 3 times 10, of 40


# --- A tiny real run ----------------------------------------------------------


@pytest.fixture(scope="module")
def provider() -> Iterator[ServerProcess]:
    with part5.provider(tokens=5, rate=100.0) as server:
        yield server


PROVIDER_PATH = "/v1/chat/completions"


def test_three_streams_from_the_fake_provider_arrive_token_by_token(
    provider: ServerProcess,
) -> None:
    host, port = part5.address(provider)
    outcome = run(
        burst(host, port, PROVIDER_PATH, part5.PROVIDER_BODY, 3, 10, provider_event)
    )
    assert outcome.completed == 3 and outcome.tokens == 15
    # 100 tokens a second: gaps of about 10 ms, never near a second.
    assert 0 < outcome.gap_ms(0.5) < 1000


@pytest.mark.parametrize("key", ["naive", "relay", "sse_relay"])
def test_yardsticks_relay_every_token(key: str, provider: ServerProcess) -> None:
    app = next(a for a in part5.APPS if a.key == key)
    with part5.serve(app, provider.base_url) as served:
        outcome = run(burst(*served.host_port(), served.path, part5.BODY, 3, 10))
    assert outcome.completed == 3 and outcome.tokens == 15
