"""What the questions share: servers, MySQL, tables. Each server is a real
uvicorn process on a free port; MySQL is the configured one if it lets the
tutorial's account in, else a private one started by the tests' own helper."""

import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import numpy as np

from tests.mysql_server import Login, found_server
from tests.serving import ServerProcess, running_server

# Access logs cost every app the same; without them the numbers show the apps.
UVICORN = "uvicorn {module}:app --no-access-log"


@contextmanager
def serve(module: str, env: dict[str, str], extra: str = "") -> Iterator[ServerProcess]:
    """Run `uvicorn module:app` until the block ends; warn if it logged an error."""
    with running_server(f"{UVICORN.format(module=module)} {extra}", env) as server:
        try:
            yield server
        finally:
            server.stop()
            if "Traceback" in server.log():
                print(f"WARNING: {module} logged an error:\n{server.log()[-1500:]}")
            server.log_path.unlink(missing_ok=True)


def address(server: ServerProcess) -> tuple[str, int]:
    url = urlsplit(server.base_url)
    assert url.hostname is not None and url.port is not None
    return url.hostname, url.port


def settle(pid: int, timeout: float = 10.0) -> None:
    """Wait until a process uses under 5 % of a core for 0.3 s: the last
    measurement's tail (runs recorded, connections closed) is not the next's."""

    def cpu_seconds() -> float:  # user and system, from /proc/PID/stat
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    deadline = time.monotonic() + timeout
    while (before := cpu_seconds()) and time.monotonic() < deadline:
        time.sleep(0.3)
        if cpu_seconds() - before < 0.015:
            return


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value under which `fraction` of `values` lie (0 for none)."""
    return float(np.percentile(values, fraction * 100)) if len(values) else 0.0


def write(path: Path, header: str, rows: list[str]) -> None:
    """A Markdown table: `header` and each row are cells joined by " | "."""
    lines = [header, " | ".join(["---"] * (header.count("|") + 1)), *rows]
    path.write_text("".join(f"| {line} |\n" for line in lines))


def target(claim: str, measured: str, passed: bool) -> str:
    """A row of the targets table."""
    return f"{claim} | {measured} | {'pass' if passed else '**miss**'}"


@dataclass
class MySQL:
    """Throwaway databases `prompt_library_test_bench_*` on one server."""

    login: Login
    names: list[str] = field(default_factory=list)

    def create(self, key: str) -> dict[str, str]:
        """A fresh, empty database; the variables Part 4 and 5 read to find it."""
        name = f"prompt_library_test_bench_{os.getpid()}_{key}"
        self.names.append(name)
        self.execute(f"DROP DATABASE IF EXISTS `{name}`", f"CREATE DATABASE `{name}`")
        at = self.login
        env = {"HOST": at.host, "PORT": str(at.port), "USER": at.user}
        env |= {"PASSWORD": at.password, "DATABASE": name}
        login = f"{quote(at.user)}:{quote(at.password)}@{at.host}:{at.port}"
        url = f"mysql+pymysql://{login}/{name}?charset=utf8mb4"
        return {f"MYSQL_{k}": v for k, v in env.items()} | {"BENCH_DATABASE_URL": url}

    def execute(self, *statements: str) -> None:
        with self.login.connect() as connection, connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


@contextmanager
def mysql() -> Iterator[MySQL]:
    """The configured MySQL (MYSQL_* variables) or a private one, for this run."""
    names = {"HOST": "127.0.0.1", "PORT": "3306", "USER": "tutorial"}
    host, port, user, password = (
        os.environ.get(f"MYSQL_{name}", value)
        for name, value in (names | {"PASSWORD": "tutorial-dev-only"}).items()
    )
    configured = Login(host, int(port), user, password)
    with found_server(configured) as found:
        server = MySQL(found.login)
        try:
            yield server
        finally:
            server.execute(*(f"DROP DATABASE IF EXISTS `{n}`" for n in server.names))
