"""Every command the READMEs and these chapters print works as written.

A command of a kind no test knows how to check fails the first test below.
The commands for a MySQL server, which cannot run here, are checked through
the files they use.
"""

import json
import os
import re
import shlex
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from pydantic import SecretStr

from tests.examples import EXAMPLES, example_commands
from tests.exercises.harness import solution_files
from tests.serving import ROOT
from tests.site.printed import (
    ACTIVATE,
    ALL_COMMANDS,
    APPLY_SOLUTIONS,
    COMPOSE,
    CURL,
    EXERCISE,
    INGEST,
    MAKE_OTHER,
    MAKE_RUN,
    MIGRATE,
    PAGES,
    PLAIN_PIP,
    PROVISION,
    PYTEST,
    QDRANT_SERVER,
    RESET_PART,
    SERVER,
    SERVER_COMMANDS,
    SERVICE,
    SNIPPET,
    STREAM_CLIENT,
    WITH_LLM_SETTINGS,
    WITH_QDRANT_URL,
    ingest_command,
    make_dry_run,
    server_command,
)
from tests.site.servers import Servers


def matching(pattern: re.Pattern[str], *ends: str) -> Any:
    """Parametrize a test by the match of each printed command of a kind."""
    found = [pattern.match(c) for c in ALL_COMMANDS if c.endswith(ends or "")]
    return pytest.mark.parametrize("match", [m for m in found if m], ids=lambda m: m[0])


def test_every_printed_command_is_one_the_tests_check() -> None:
    assert ALL_COMMANDS
    # STREAM_CLIENT: tests/part5_llm/test_stream_client.py runs each one.
    # SERVICE: tests/site/test_reader_path.py checks the names they use.
    known = [SNIPPET, SERVER, MAKE_RUN, MAKE_OTHER, PYTEST, COMPOSE, PROVISION, SERVICE]
    known += [STREAM_CLIENT, WITH_LLM_SETTINGS, EXERCISE, APPLY_SOLUTIONS, RESET_PART]
    known += [INGEST, MIGRATE, QDRANT_SERVER, WITH_QDRANT_URL, CURL]
    unchecked = [
        command
        for command in ALL_COMMANDS
        if command not in (ACTIVATE, PLAIN_PIP)
        and not any(pattern.match(command) for pattern in known)
    ]
    assert not unchecked, f"printed, but no test runs them: {unchecked}"


@pytest.mark.parametrize("page", PAGES)
def test_page_prints_shell_commands_only_in_bash_blocks(page: str) -> None:
    # Only `bash` blocks are read above, so a command in a `sh` or `console`
    # block would go unchecked.
    other_shell = re.compile(r"^[ \t]*```(sh|shell|console|zsh)\b", re.M)
    assert not other_shell.search((ROOT / page).read_text()), page


@pytest.mark.parametrize("command", [c for c in ALL_COMMANDS if MAKE_RUN.match(c)])
def test_make_run_starts_the_uvicorn_command_the_pages_print(command: str) -> None:
    # The pages offer `make run PART=N` and a uvicorn line as the same thing.
    started = server_command(command)
    assert started in ALL_COMMANDS and started.endswith(".main:app --reload"), started


@matching(WITH_LLM_SETTINGS)
def test_model_settings_before_a_server_command_are_read_by_part_5(
    match: re.Match[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from part5_llm.settings import LLMSettings

    # The command without its settings is printed too, and served above.
    assert match["command"] in SERVER_COMMANDS
    printed = dict(pair.split("=", 1) for pair in match["settings"].split())
    for name in [name for name in os.environ if name.startswith("LLM_")]:
        monkeypatch.delenv(name)
    for name, value in printed.items():
        monkeypatch.setenv(name, value)
    settings = LLMSettings(_env_file=None)
    for name, value in printed.items():
        field = name.removeprefix("LLM_").lower()
        assert field in LLMSettings.model_fields, name
        read = getattr(settings, field)
        if isinstance(read, SecretStr):
            read = read.get_secret_value()
        assert str(read) == value


def served_module(command: str) -> str:
    """The module whose `app` a printed server command serves."""
    if match := re.match(r"uvicorn (?P<module>[\w.]+):app\b", command):
        return match["module"]
    if match := re.match(r"fastapi (dev|run) (?P<path>\S+)\.py\b", command):
        return match["path"].replace("/", ".")
    raise AssertionError(f"which app does {command!r} serve?")


@pytest.mark.parametrize("command", SERVER_COMMANDS)
def test_printed_server_command_serves_the_app_it_names(
    command: str, servers: Servers
) -> None:
    server = servers.get(command)
    served = httpx.get(server.base_url + "/openapi.json").json()
    assert served == openapi_of(served_module(command))


@cache
def openapi_of(module: str) -> Any:
    """The OpenAPI document of `module.app`, from a process of its own.

    Parts 3 and 4 each declare a `prompt` table on SQLModel's one metadata
    object, so one process cannot import both.
    """
    script = f"import json, {module} as m; print(json.dumps(m.app.openapi()))"
    printed = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(printed)


@matching(SNIPPET)
def test_included_example_command_is_replayed_by_the_examples_test(
    match: re.Match[str],
) -> None:
    path = ROOT / match["path"]
    assert path.parent.parent == EXAMPLES and path.suffix == ".sh", path
    assert path in example_commands(path.parent.name)


@matching(CURL)
def test_a_curl_outside_the_examples_is_one_of_them_word_for_word(
    match: re.Match[str],
) -> None:
    # The examples are replayed against the real app; so is this, through them.
    examples = {p.read_text().strip() for p in EXAMPLES.glob("*/*.sh")}
    assert match.string in examples, match.string


@matching(INGEST)
def test_printed_ingest_command_is_the_one_the_chapters_replay_runs(
    match: re.Match[str],
) -> None:
    assert match.string == ingest_command()


@matching(MIGRATE)
def test_printed_migration_is_the_one_make_run_applies(match: re.Match[str]) -> None:
    applied = [shlex.split(line) for line in make_dry_run("run", "PART=6")]
    assert ["alembic", *shlex.split(match["arguments"])] in [
        [Path(line[0]).name, *line[1:]] for line in applied
    ], applied


@matching(WITH_QDRANT_URL)
def test_a_qdrant_url_before_a_command_is_read_by_part_6(match: re.Match[str]) -> None:
    assert match["command"] in ALL_COMMANDS  # printed alone too, and checked
    # In a process of its own, as openapi_of explains.
    script = "from part6_rag.settings import QdrantSettings as S; print(S().url)"
    read = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=os.environ | {"QDRANT_URL": match["url"]},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert read == match["url"]


@matching(QDRANT_SERVER)
def test_the_qdrant_server_started_is_the_one_qdrant_url_names(
    match: re.Match[str],
) -> None:
    urls = [m["url"] for c in ALL_COMMANDS if (m := WITH_QDRANT_URL.match(c))]
    assert urls == [f"http://127.0.0.1:{match['port']}"], urls


@matching(PYTEST)
def test_printed_pytest_command_names_a_folder_of_tests(match: re.Match[str]) -> None:
    target = ROOT / match["path"]
    tests = [target] if target.is_file() else sorted(target.glob("test_*.py"))
    assert tests and all(t.name.startswith("test_") for t in tests), match[0]


@matching(MAKE_OTHER)
def test_printed_make_target_exists(match: re.Match[str]) -> None:
    if match["port"]:  # a server on the port asked for
        recipe = make_dry_run("-B", match["target"], f"PORT={match['port']}")
        assert any(f"127.0.0.1:{match['port']}" in line for line in recipe), recipe
    else:
        assert make_dry_run("-B", match["target"])


@matching(EXERCISE)
def test_make_exercise_runs_the_checks_of_that_parts_exercises(
    match: re.Match[str],
) -> None:
    # That the checks fail on the unchanged parts and pass on the solutions
    # is tests/exercises' own subject.
    part = sorted(folder.name for folder in ROOT.glob("part[1-9]_*"))[
        int(match["part"]) - 1
    ]
    recipe = shlex.split(make_dry_run("-B", "exercise", f"PART={match['part']}")[-1])
    assert recipe[1:4] == ["-m", "pytest", "-q"], recipe
    assert recipe[-1] == f"tests/exercises/{part}", recipe
    checks = sorted((ROOT / recipe[-1]).glob("test_*.py"))
    assert 2 <= len(checks) <= 3, f"{part} has {len(checks)} exercises"


@matching(APPLY_SOLUTIONS)
def test_printed_git_apply_applies_the_solutions_the_checks_are_run_on(
    match: re.Match[str],
) -> None:
    printed = sorted((ROOT / "solutions" / match["part"]).glob("*.diff"))
    assert printed and printed == solution_files(match["part"]), match[0]


@matching(RESET_PART)
def test_git_checkout_puts_the_part_back_as_it_was(match: re.Match[str]) -> None:
    # It restores the files git knows; a solution that added a file would
    # leave it behind.
    assert (ROOT / match["part"] / "main.py").is_file(), match[0]
    for diff in solution_files(match["part"]):
        assert "\nnew file mode" not in diff.read_text(), f"{diff.name} adds a file"


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


def test_plain_pip_install_does_what_make_does_for_development() -> None:
    # `make install` installs only what running needs; the README's plain-pip
    # line installs everything a contributor uses, as make's `dev` layer does.
    assert PLAIN_PIP in ALL_COMMANDS
    recipe = make_dry_run("-B", ".venv/bin/.installed-dev", "PYTHON=python3")
    assert "python3 -m venv .venv" in recipe
    assert any("-m pip install" in line and '-e ".[dev]"' in line for line in recipe), (
        recipe
    )


def app_default(setting: str) -> str:
    """What Part 4 connects with when nothing is configured."""
    from part4_mysql.settings import Settings

    default = Settings.model_fields[setting].default
    return str(getattr(default, "get_secret_value", lambda: default)())


def compose_service(match: re.Match[str]) -> dict[str, Any]:
    compose = yaml.safe_load((ROOT / match["file"]).read_text())
    (service,) = compose["services"].values()
    return dict(service)


@matching(COMPOSE, " up -d")
def test_compose_up_starts_the_account_the_app_connects_to(
    match: re.Match[str],
) -> None:
    # No Docker engine here: check the file says what the chapter relies on.
    service = compose_service(match)
    assert service["environment"]["MYSQL_DATABASE"] == app_default("database")
    assert service["environment"]["MYSQL_USER"] == app_default("user")
    assert service["environment"]["MYSQL_PASSWORD"] == app_default("password")
    published = f"{app_default('host')}:{app_default('port')}:3306"
    assert published in service["ports"]


@matching(COMPOSE, " ps")
def test_compose_ps_can_report_the_server_healthy(match: re.Match[str]) -> None:
    # The chapter says to wait until `ps` shows `healthy`.
    assert compose_service(match)["healthcheck"]["test"]


@matching(PROVISION)
def test_provisioning_script_is_the_one_ci_runs(match: re.Match[str]) -> None:
    # Tests never log in as root, but CI runs the same script without sudo,
    # with MariaDB's client (`mysql` is MySQL's name for it).
    assert f"mariadb < {match['script']}" in (ROOT / ".ci" / "run").read_text()


@matching(PROVISION)
def test_provisioning_script_creates_the_account_the_app_connects_to(
    match: re.Match[str],
) -> None:
    script = (ROOT / match["script"]).read_text()
    user, password = app_default("user"), app_default("password")
    assert f"CREATE DATABASE IF NOT EXISTS {app_default('database')}" in script
    assert f"CREATE USER IF NOT EXISTS '{user}'@'%' IDENTIFIED BY '{password}'" in (
        script
    )
