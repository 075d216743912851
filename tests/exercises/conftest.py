"""The exercises' checks, run as `make exercise PART=N`, or by `make test`.

Each module `test_<n>_<name>.py` under `tests/exercises/<part>/` is one
exercise: its docstring's first line is the title, the paragraph after it is
the goal, and the exercise is done when every test in it passes. After the
run, a summary lists each exercise as done or not done.
"""

import textwrap
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from tests.exercises.harness import (
    COMMITTED_RUN,
    CommittedRun,
    committed_copy,
    exercise_goal,
    exercise_title,
    served_part,
    solved_copy,
)
from tests.serving import ROOT, ServerProcess


def pytest_addoption(parser: pytest.Parser) -> None:
    choice = parser.getgroup("exercises")
    choice.addoption(
        "--solutions",
        action="store_true",
        help="check each part as committed, with solutions/<part>/*.diff applied",
    )
    choice.addoption(
        "--committed",
        action="store_true",
        help="check each part as committed, without the solutions",
    )


def part_of(request: pytest.FixtureRequest) -> str:
    return request.path.parent.name


def pytest_collection_finish(session: pytest.Session) -> None:
    """In one process, start the committed parts' run now, to run alongside."""
    single_process = not hasattr(session.config, "workerinput")
    wanted = any(item.path.name == "test_checks_can_fail.py" for item in session.items)
    if single_process and wanted:
        session.config.stash[COMMITTED_RUN] = CommittedRun.start()


class Copies(dict[str, Path]):
    """Each part copied (and solved) when first asked for."""

    def __init__(self, folders: pytest.TempPathFactory, solved: bool) -> None:
        super().__init__()
        self.folders, self.solved = folders, solved

    def __missing__(self, part: str) -> Path:
        copy = solved_copy if self.solved else committed_copy
        self[part] = copy(part, self.folders.mktemp(part))
        return self[part]


@pytest.fixture(scope="session")
def roots(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """Where each part is served from: your folder, or a copy as committed."""
    solved = request.config.getoption("--solutions")
    if solved or request.config.getoption("--committed"):
        return Copies(tmp_path_factory, solved)
    return defaultdict(lambda: ROOT)


@pytest.fixture
def root(request: pytest.FixtureRequest, roots: dict[str, Path]) -> Path:
    """The folder holding the part this check is for."""
    return roots[part_of(request)]


class SharedServers(dict[str, ServerProcess]):
    """One running server per part, started when a check first needs it."""

    def __init__(
        self, stack: ExitStack, roots: dict[str, Path], folders: pytest.TempPathFactory
    ) -> None:
        super().__init__()
        self.stack, self.roots, self.folders = stack, roots, folders

    def __missing__(self, part: str) -> ServerProcess:
        storage = self.folders.mktemp(f"{part}-storage")
        served = served_part(part, self.roots[part], storage)
        self[part] = self.stack.enter_context(served)
        return self[part]


@pytest.fixture(scope="session")
def shared_servers(
    roots: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SharedServers]:
    with ExitStack() as stack:
        yield SharedServers(stack, roots, tmp_path_factory)


@pytest.fixture
def api(
    request: pytest.FixtureRequest, shared_servers: dict[str, ServerProcess]
) -> Iterator[httpx.Client]:
    """An HTTP client for this part's shared server (state carries over)."""
    server = shared_servers[part_of(request)]
    with httpx.Client(base_url=server.base_url, timeout=10.0) as client:
        yield client


# The summary: which exercise is done, and the first check still failing.
_outcomes: dict[Path, list[pytest.TestReport]] = defaultdict(list)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" or report.outcome != "passed":
        path = ROOT / report.nodeid.split("::")[0]
        if path.parent.parent.name == "exercises" and path.name.startswith("test_"):
            _outcomes[path].append(report)


def _first_line_of_failure(report: pytest.TestReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    message = crash.message if crash else str(report.longrepr)
    return message.strip().splitlines()[0] if message.strip() else report.nodeid


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if not _outcomes:
        return
    write = terminalreporter.write_line
    by_part: dict[str, list[Path]] = defaultdict(list)
    for path in sorted(_outcomes):
        by_part[path.parent.name].append(path)
    for part, modules in by_part.items():
        done = 0
        terminalreporter.section(f"exercises of {part}", sep="-")
        for module in modules:
            failed = [r for r in _outcomes[module] if r.outcome != "passed"]
            if not failed:
                done += 1
                write(f"done      {exercise_title(module)}")
                continue
            write(f"not done  {exercise_title(module)}", red=True)
            goal = textwrap.fill(
                f"goal: {exercise_goal(module)}",
                width=88,
                initial_indent=" " * 10,
                subsequent_indent=" " * 16,
            )
            write(goal)
            test = failed[0].nodeid.split("::")[-1]
            write(f"          first check failing: {test}")
            write(f"            {_first_line_of_failure(failed[0])}")
        write(f"{done} of {len(modules)} done.")
