"""A reader who pastes every command of Parts 1-4 in order gets what the pages say.

- Each example runs against the app the page has started last.
- The first example of each chapter says what to do on another port.
- Part 4's provisioning works on a freshly initialised MariaDB, whose
  anonymous account would otherwise shadow the tutorial's, and creates the
  databases every MySQL part uses.
- Every way the pages give to stop a database server has its way to start it
  again, with the names the server packages install.
"""

import ast
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymysql
import pytest

from tests.examples import BASE_URL
from tests.mysql_server import SEARCH_PATH, NoServerBinaries, PrivateServer
from tests.serving import ROOT
from tests.site.printed import (
    ALL_COMMANDS,
    COMPOSE,
    FENCE,
    PROVISION,
    SERVICE,
    SNIPPET,
    printed_commands,
    server_command,
)
from tests.site.test_commands import openapi_of, served_module

CHAPTERS = ["docs/part1.md", "docs/part2.md", "docs/part3.md", "docs/part4.md"]
PROVISIONING = ROOT / ".ci" / "provision-mysql.sql"
TUTORIAL = {"user": "tutorial", "password": "tutorial-dev-only"}


def commands_in_order(page: str) -> list[str]:
    """The commands of a page's bash blocks, tabs included, top to bottom."""
    text = (ROOT / page).read_text()
    commands = []
    for block in FENCE.finditer(text):
        body = block["body"].replace("\\\n", " ")
        commands += [re.sub(r"\s+", " ", line.strip()) for line in body.splitlines()]
    return [command for command in commands if command]


class Sent:
    """The method and address of one example's curl command."""

    def __init__(self, command: str) -> None:
        method = re.search(r"(?:-X|--request) (\w+)", command)
        has_body = re.search(r" (?:-d|--data\S*|--json|-F) ", command)
        self.method = method[1] if method else ("POST" if has_body else "GET")
        self.path = re.search(r"https?://\S+?(/[^\s'\"]*)", command)[1]  # type: ignore[index]


def sent_by(command: str) -> Sent:
    return Sent(command.replace("\\\n", " "))


def route_exists(openapi: Any, method: str, url: str) -> bool:
    path = url.split("?", 1)[0]
    for template, operations in openapi["paths"].items():
        pattern = re.sub(r"\{[^/]+\}", "[^/]+", template)
        if re.fullmatch(pattern, path) and method.lower() in operations:
            return True
    return False


@pytest.mark.parametrize("page", CHAPTERS)
def test_each_example_runs_against_the_app_the_page_started_last(page: str) -> None:
    serving = None
    for command in commands_in_order(page):
        if started := server_command(command):
            serving = served_module(started)
        elif snippet := SNIPPET.match(command):
            request = sent_by((ROOT / snippet["path"]).read_text())
            assert serving, f"{snippet['path']} comes before any server is started"
            assert route_exists(openapi_of(serving), request.method, request.path), (
                f"{snippet['path']} sends {request.method} {request.path}, which "
                f"{serving}, the app {page} started last, does not serve"
            )


@pytest.mark.parametrize("page", CHAPTERS)
def test_first_example_of_each_chapter_says_what_to_do_on_another_port(
    page: str,
) -> None:
    lines = (ROOT / page).read_text().splitlines()
    first = next(
        i for i, line in enumerate(lines) if re.search(r"docs/examples/.*\.sh\"", line)
    )
    nearby = "\n".join(lines[max(first - 20, 0) : first + 20])
    port = BASE_URL.rsplit(":", 1)[1]
    assert re.search(r"another port", nearby, re.I), nearby
    assert port in nearby, f"the note beside the first example names {port}"


def test_part2_step1_shows_the_models_without_editing_their_schema() -> None:
    text = (ROOT / "docs" / "part2.md").read_text()
    step = text.split("## Step 1", 1)[1].split("\n## ", 1)[0]
    unfolded = [line for line in step.splitlines() if not line.startswith(" ")]
    included = [line for line in unfolded if "--8<--" in line]
    assert included
    shown = [line for line in included if re.search(r"update|null", line, re.I)]
    assert not shown, f"fold the update model's schema work into a box: {shown}"


# Part 4's provisioning.


def test_part4_provisions_through_mariadb_or_mysql_with_or_without_sudo() -> None:
    printed = {c for c in printed_commands("docs/part4.md") if PROVISION.match(c)}
    script = PROVISIONING.relative_to(ROOT)
    assert printed == {
        f"{sudo}{client} < {script}"
        for sudo in ("sudo ", "")
        for client in ("mariadb", "mysql")
    }


class FreshlyInstalledMariaDB(PrivateServer):
    """A private server on a data folder as `mariadb-install-db` sets one up
    by default: with the `test` database and the anonymous accounts."""

    anonymous_hosts: frozenset[str] = frozenset()  # as found at the first start

    def _initialise(self, server: str, data: Path, options: list[str]) -> None:
        version = subprocess.run(
            [server, "--version"], capture_output=True, text=True, check=True
        ).stdout
        installer = shutil.which("mariadb-install-db", path=SEARCH_PATH)
        if "MariaDB" not in version or installer is None:
            raise NoServerBinaries("no mariadbd and mariadb-install-db")
        command = [installer, "--no-defaults", *options, f"--datadir={data}"]
        # Root over the socket without a password, whoever runs the tests.
        command.append("--auth-root-authentication-method=normal")
        subprocess.run(command, capture_output=True, check=True)


@pytest.fixture(scope="module")
def fresh_mariadb(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[FreshlyInstalledMariaDB]:
    try:
        server = FreshlyInstalledMariaDB(tmp_path_factory.mktemp("fresh-mariadb"))
    except NoServerBinaries as missing:
        if os.environ.get("CI"):
            pytest.fail(f"Part 4's provisioning is not checked: {missing}")
        pytest.skip(f"Part 4's provisioning is not checked: {missing}")
    server.start()
    try:
        with server.admin() as connection, connection.cursor() as cursor:
            cursor.execute("SELECT host FROM mysql.user WHERE user = ''")
            server.anonymous_hosts = frozenset(host for (host,) in cursor.fetchall())
        yield server
    finally:
        server.stop()


def run_as_root(server: PrivateServer, sql: str) -> None:
    with server.admin() as connection, connection.cursor() as cursor:
        for statement in filter(str.strip, sql.split(";")):
            cursor.execute(statement)


def provision(server: PrivateServer, client_name: str = "mariadb") -> None:
    """The chapter's line, `mariadb < .ci/provision-mysql.sql`, on `server`."""
    client = shutil.which(client_name, path=SEARCH_PATH)
    assert client, f"mariadbd is installed, the client {client_name} is not"
    with PROVISIONING.open() as script:
        subprocess.run(
            [client, "--no-defaults", f"--socket={server.socket}", "--user=root"],
            stdin=script,
            capture_output=True,
            check=True,
        )


def log_in(server: PrivateServer, user: str, password: str, database: str = "") -> None:
    """Over TCP to 127.0.0.1, as the app connects."""
    pymysql.connect(
        host="127.0.0.1",
        port=server.port,
        user=user,
        password=password,
        database=database or None,
        connect_timeout=3,
        ssl_disabled=True,
    ).close()


def test_an_anonymous_account_shadows_one_made_for_any_host(
    fresh_mariadb: PrivateServer,
) -> None:
    # The trap the provisioning script removes, as a fresh data folder sets it.
    run_as_root(
        fresh_mariadb,
        "CREATE USER IF NOT EXISTS ''@'localhost';"
        "CREATE USER IF NOT EXISTS 'shadowed'@'%' IDENTIFIED BY 'its-password'",
    )
    with pytest.raises(pymysql.err.OperationalError, match="using password: YES"):
        log_in(fresh_mariadb, "shadowed", "its-password")


def test_a_fresh_data_folder_holds_the_anonymous_account(
    fresh_mariadb: FreshlyInstalledMariaDB,
) -> None:
    assert "localhost" in fresh_mariadb.anonymous_hosts


@pytest.mark.parametrize("client", ["mariadb", "mysql"])
def test_after_provisioning_the_tutorial_logs_in_over_tcp(
    fresh_mariadb: PrivateServer, client: str
) -> None:
    # `mysql` is MariaDB's client too, under the name MySQL gives its own.
    run_as_root(fresh_mariadb, "CREATE USER IF NOT EXISTS ''@'localhost'")
    provision(fresh_mariadb, client)
    log_in(fresh_mariadb, **TUTORIAL)


def test_provisioning_twice_changes_nothing(fresh_mariadb: PrivateServer) -> None:
    provision(fresh_mariadb)
    provision(fresh_mariadb)
    log_in(fresh_mariadb, **TUTORIAL)


def default_databases() -> dict[str, str]:
    """Each MySQL part's default database: a `database` field of its settings.

    Read from the source, not imported: Parts 5 and 6 each define SQLModel's
    table `prompt`, and one process can hold only one of them.
    """
    found = {}
    for settings in sorted(ROOT.glob("part*_*/settings.py")):
        for node in ast.walk(ast.parse(settings.read_text())):
            if (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and node.target.id == "database"
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                found[settings.parent.name] = node.value.value
    return found


@pytest.mark.parametrize(
    "database",
    ["prompt_library", "prompt_library_part5", "prompt_library_part6"],
)
def test_provisioning_creates_each_mysql_parts_database_for_the_tutorial(
    fresh_mariadb: PrivateServer, database: str
) -> None:
    provision(fresh_mariadb)
    log_in(fresh_mariadb, **TUTORIAL, database=database)


def test_every_mysql_parts_default_database_is_provisioned() -> None:
    created = set(
        re.findall(r"CREATE DATABASE IF NOT EXISTS (\w+)", PROVISIONING.read_text())
    )
    assert {"part4_mysql", "part5_llm"} <= default_databases().keys()
    missing = {p: d for p, d in default_databases().items() if d not in created}
    assert not missing, f"the provisioning script does not create {missing}"


def test_the_tutorial_may_create_and_drop_the_tests_databases(
    fresh_mariadb: PrivateServer,
) -> None:
    provision(fresh_mariadb)
    with (
        pymysql.connect(
            host="127.0.0.1",
            port=fresh_mariadb.port,
            ssl_disabled=True,
            autocommit=True,
            **TUTORIAL,
        ) as connection,
        connection.cursor() as cursor,
    ):
        cursor.execute("CREATE DATABASE prompt_library_test_reader_path")
        cursor.execute("DROP DATABASE prompt_library_test_reader_path")


# Stopping and starting the database server (Part 4's outage).

STOPS_AND_STARTS = [
    c
    for c in ALL_COMMANDS
    if SERVICE.match(c) or (COMPOSE.match(c) and c.endswith((" stop", " start")))
]


def test_every_way_to_stop_the_server_has_its_way_to_start_it() -> None:
    stops = {c.replace(" stop", " {}") for c in STOPS_AND_STARTS if " stop" in c}
    starts = {c.replace(" start", " {}") for c in STOPS_AND_STARTS if " start" in c}
    assert stops and stops == starts


def test_docker_stop_and_start_use_the_compose_file_that_starts_mysql() -> None:
    files = {m["file"] for c in ALL_COMMANDS if (m := COMPOSE.match(c))}
    assert len(files) == 1 and (ROOT / files.pop()).is_file()


UNIT_FOLDERS = [Path("/lib/systemd/system"), Path("/usr/lib/systemd/system")]


def installed_names() -> set[str]:
    """The service names this machine's MariaDB or MySQL package installed."""
    units = {p.stem for folder in UNIT_FOLDERS for p in folder.glob("*.service")}
    scripts = {p.name for p in Path("/etc/init.d").glob("*")}
    return units | scripts


@pytest.mark.parametrize("command", [c for c in ALL_COMMANDS if SERVICE.match(c)])
def test_service_names_are_the_ones_the_server_package_installs(command: str) -> None:
    match = SERVICE.match(command)
    assert match
    name = match["unit"] or match["initscript"] or match["formula"]
    if match["formula"]:
        # No Homebrew here: its formula has the name of the Linux service.
        units = {m["unit"] for c in ALL_COMMANDS if (m := SERVICE.match(c))}
        assert name in units
        return
    installed = installed_names()
    if not {"mariadb", "mysql"} & installed:
        pytest.skip("no MariaDB or MySQL server package on this machine")
    assert name in installed, f"{command}: this machine's package has no {name!r}"
