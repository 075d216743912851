"""A reader's walk through every chapter, in order: each Answer box, exactly.

Each part is served with its chapter's own command, and each example runs
in bash with the real curl, changing nothing but the address. Parts 4 and 5
share ONE MySQL server, one after the other, each in the database its
settings name by default (a throwaway stand-in per name: two parts that
named the same database would share one here too, as on a reader's server).
So Part 5's page must hold for a reader who did Part 4 first.
"""

import importlib
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests import examples
from tests.examples import EXAMPLES, check_examples, compare_or_record
from tests.part4_mysql.databases import (
    server_environment,
    settings_for,
    throwaway_database,
)
from tests.serving import running_server
from tests.site.servers import NEED_MYSQL, PARTS, Servers, docs_command, mysql_login

# Part 6 asks about the whole of docs/, ingested first: its own chapter's
# tests replay it (tests/part6_rag), on a database and a store of its own.
WALK = sorted(
    folder.name
    for folder in EXAMPLES.iterdir()
    if folder.is_dir() and folder.name != "part6_rag"
)


class MySQLDatabases(dict[str, dict[str, str]]):
    """The MYSQL_* variables of the database each default name stands for."""

    def __init__(self, stack: ExitStack) -> None:
        super().__init__()
        self.stack = stack
        self.server = settings_for(mysql_login())  # skips, or fails under CI

    def __missing__(self, default_name: str) -> dict[str, str]:
        database = self.stack.enter_context(throwaway_database(self.server))
        self[default_name] = server_environment(database)
        return self[default_name]


@pytest.fixture(scope="module")
def databases() -> Iterator[MySQLDatabases]:
    with ExitStack() as stack:
        yield MySQLDatabases(stack)


def test_every_part_with_examples_is_walked() -> None:
    assert WALK and set(WALK) <= set(PARTS), f"servers.py does not serve {WALK}"


@pytest.mark.parametrize("part", WALK)
def test_pasted_examples_print_exactly_their_answer_boxes(
    part: str, servers: Servers, request: pytest.FixtureRequest
) -> None:
    if part not in NEED_MYSQL:
        check_examples(servers.get(docs_command(part)).base_url, part)
        return
    databases: MySQLDatabases = request.getfixturevalue("databases")
    settings = importlib.import_module(f"{part}.settings").Settings
    env = databases[settings.model_fields["database"].default]
    env = {**env, "FAKE_LLM_LATENCY_S": "0.01"}
    with running_server(docs_command(part), env) as server:
        check_examples(server.base_url, part)


# --- The comparison itself ----------------------------------------------------

RUN = '{"text":"a b","duration_ms":%d,"created_at":"%s","id":1}\nHTTP 200\n'
BOX = RUN % (611, "2026-11-30T20:32:27.032159Z")


@pytest.fixture
def box(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An example whose Answer box holds a run, compared (not recorded)."""
    monkeypatch.delenv("UPDATE_EXAMPLES", raising=False)
    monkeypatch.setattr(examples, "EXAMPLES", tmp_path)
    (tmp_path / "part").mkdir()
    (tmp_path / "part" / "01-run.out").write_text(BOX)
    return tmp_path / "part" / "01-run.sh"


def test_a_runs_timings_and_start_time_may_differ_from_the_box(box: Path) -> None:
    compare_or_record(box, (RUN % (7, "2027-01-02T03:04:05.000001Z")).encode())


@pytest.mark.parametrize(
    "printed", [BOX.replace("a b", "a c"), BOX.replace('"id":1', '"id":2')]
)
def test_everything_else_must_match_the_box(box: Path, printed: str) -> None:
    with pytest.raises(AssertionError, match=r"01-run\.sh"):
        compare_or_record(box, printed.encode())


def test_update_mode_records_what_was_printed(
    box: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UPDATE_EXAMPLES", "1")
    compare_or_record(box, b"{}\nHTTP 200\n")
    assert box.with_suffix(".out").read_bytes() == b"{}\nHTTP 200\n"


def test_an_answer_without_its_command_fails_the_replay(box: Path) -> None:
    box.with_name("02-other.sh").write_text("curl -s http://127.0.0.1:8000/\n")
    with pytest.raises(AssertionError, match="01-run"):
        examples.example_commands("part")
