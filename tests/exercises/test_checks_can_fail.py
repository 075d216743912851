"""Every exercise's checks fail on its part as committed: none passes unearned.

This runs what `make exercise` runs, for every part at once, on copies of
the parts as the repository has them (`--committed`), and reads its summary.
In a run of one process (`make test`), that run starts as soon as the tests
are collected, and goes on while the other checks run (conftest.py).
"""

from pathlib import Path

import pytest

from tests.exercises.harness import COMMITTED_RUN, CommittedRun, exercise_title
from tests.serving import ROOT

CHECKS = sorted(ROOT.glob("tests/exercises/part*/test_*.py"))


@pytest.fixture(scope="module")
def committed(request: pytest.FixtureRequest) -> CommittedRun:
    started = request.config.stash.get(COMMITTED_RUN, None)
    run = started or CommittedRun.start()
    run.wait()
    return run


def test_the_run_fails(committed: CommittedRun) -> None:
    assert committed.returncode == 1, committed.output


def test_no_check_breaks_in_a_fixture(committed: CommittedRun) -> None:
    last_line = committed.output.splitlines()[-1]
    assert " error" not in last_line, committed.output


@pytest.mark.parametrize("check", CHECKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_exercise_shows_as_not_done(check: Path, committed: CommittedRun) -> None:
    assert f"not done  {exercise_title(check)}" in committed.output, committed.output
