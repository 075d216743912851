"""Every command the READMEs and these chapters print works as written.

A command of a kind no test knows how to check fails the first test below.
"""

import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.examples import EXAMPLES, example_commands
from tests.serving import ROOT
from tests.site.printed import (
    ACTIVATE,
    ALL_COMMANDS,
    MAKE_OTHER,
    MAKE_RUN,
    PLAIN_PIP,
    PYTEST,
    SERVER,
    SERVER_COMMANDS,
    SNIPPET,
    make_dry_run,
)
from tests.site.servers import Servers


def test_every_printed_command_is_one_the_tests_check() -> None:
    assert ALL_COMMANDS
    known = (SNIPPET, SERVER, MAKE_RUN, MAKE_OTHER, PYTEST)
    unchecked = [
        command
        for command in ALL_COMMANDS
        if command not in (ACTIVATE, PLAIN_PIP)
        and not any(pattern.match(command) for pattern in known)
    ]
    assert not unchecked, f"printed, but no test runs them: {unchecked}"


@pytest.mark.parametrize("command", SERVER_COMMANDS)
def test_printed_server_command_serves_its_part(command: str, servers: Servers) -> None:
    part = re.search(r"part(\d)_\w+", command)
    assert part, f"which part does {command!r} serve?"
    server = servers.get(command)
    info = httpx.get(server.base_url + "/openapi.json").json()["info"]
    assert f"Part {part[1]}" in info["title"]


@pytest.mark.parametrize("command", [c for c in ALL_COMMANDS if SNIPPET.match(c)])
def test_included_example_command_is_replayed_by_the_examples_test(
    command: str,
) -> None:
    match = SNIPPET.match(command)
    assert match
    path = ROOT / match["path"]
    assert path.parent.parent == EXAMPLES and path.suffix == ".sh", path
    assert path in example_commands(path.parent.name)


@pytest.mark.parametrize("command", [c for c in ALL_COMMANDS if PYTEST.match(c)])
def test_printed_pytest_command_names_a_folder_of_tests(command: str) -> None:
    match = PYTEST.match(command)
    assert match
    target = ROOT / match["path"]
    tests = [target] if target.is_file() else sorted(target.glob("test_*.py"))
    assert tests and all(t.name.startswith("test_") for t in tests), command


@pytest.mark.parametrize("command", [c for c in ALL_COMMANDS if MAKE_OTHER.match(c)])
def test_printed_make_target_exists(command: str) -> None:
    match = MAKE_OTHER.match(command)
    assert match
    assert make_dry_run("-B", match["target"])


def test_activating_the_virtual_environment_finds_its_tools() -> None:
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        pytest.skip("the tests do not run from the repository's .venv")
    found = subprocess.run(
        ["bash", "-c", f"{ACTIVATE} && command -v uvicorn fastapi pytest"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert [Path(tool).parent for tool in found] == [ROOT / ".venv" / "bin"] * 3


def test_plain_pip_install_does_what_make_install_does() -> None:
    # `make install` is what `make test` runs on a fresh clone in CI; the
    # README's plain-pip line must be the same steps.
    assert PLAIN_PIP in ALL_COMMANDS
    recipe = make_dry_run("-B", "install", "PYTHON=python3")
    assert "python3 -m venv .venv" in recipe
    assert any("-m pip install" in line and '-e ".[dev]"' in line for line in recipe), (
        recipe
    )
