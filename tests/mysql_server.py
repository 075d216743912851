"""A MySQL-family server for a test session: the configured one, or a private one.

The chapters that need MySQL (Parts 4 and 5) find their server in this order:

1. the configured server (MYSQL_* variables, `.env`), if it accepts the login;
2. otherwise a private, throwaway server started from the `mariadbd` or
   `mysqld` on the PATH: its own data folder in a temporary directory, a free
   port, the configured account created on it, all removed at the end;
3. otherwise the chapter's tests skip with one line that says where to read
   how to start MySQL; under CI=true they fail instead.

A server that answers but refuses the login counts as "not configured" (2).

Public interface:

- `Login(host, port, user, password)`: where and as whom to connect.
- `session_server(configured, chapter)`: the generator behind a session
  fixture; it yields a `FoundServer`, whose `login` is the account to use and
  whose `private` is the `PrivateServer` when one was started (else None).
- `private_server()`: a context manager that starts a `PrivateServer` of its
  own, for tests that must stop and start a real server (`restart()`); its
  `admin()` is a root connection and `add_account()` creates an account.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pymysql
import pytest

ROOT = Path(__file__).resolve().parent.parent
START_MYSQL = "docs/part4.md, section 'Start MySQL'"
# The chapters' own grants: the tutorial's database and the tests' throwaways.
TUTORIAL_DATABASES = ("prompt_library", r"prompt\_library\_test\_%")
# Distribution packages put the server in sbin, which a user's PATH may lack.
SEARCH_PATH = os.pathsep.join(
    [os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin", "/usr/local/bin"]
)
# Parts not measured because their server was missing, for the coverage gate.
UNMEASURED = ROOT / ".unmeasured"


@dataclass(frozen=True)
class Login:
    host: str
    port: int
    user: str
    password: str

    def connect(self, database: str | None = None) -> pymysql.Connection:
        return pymysql.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            database=database,
            connect_timeout=3,
            read_timeout=30,
            autocommit=True,
            ssl_disabled=True,  # as the parts connect: no TLS context to build
        )

    def accepted(self) -> bool:
        """Whether a server answers here and lets this account in."""
        try:
            self.connect().close()
        except pymysql.err.MySQLError:
            return False
        return True


class NoServerBinaries(RuntimeError):
    """Neither `mariadbd` nor `mysqld` is installed."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class DatabaseProcess:
    """A server started in a session of its own, ready once its port answers.

    Not mirakuru's executor: at exit, every process that imported mirakuru
    kills each process whose mirakuru id merely *contains* its own pid, so
    one test run ending could kill another run's server.
    """

    def __init__(self, command: list[str], port: int, log_path: Path) -> None:
        self.command, self.port, self.log_path = command, port, log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30) -> None:
        self.process = subprocess.Popen(
            self.command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C in the terminal is the tests' alone
        )
        deadline = time.monotonic() + timeout
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                log = self.log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{self.command[0]} did not start:\n{log}")
            time.sleep(0.05)

    def _answers(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            return False
        return True

    def stop(self) -> None:
        """SIGTERM, the server's clean shutdown; SIGKILL if it takes too long."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class PrivateServer:
    """A server of our own on a free port, with a data folder in `folder`."""

    def __init__(self, folder: Path) -> None:
        server = shutil.which("mariadbd", path=SEARCH_PATH) or shutil.which(
            "mysqld", path=SEARCH_PATH
        )
        if server is None:
            raise NoServerBinaries("neither mariadbd nor mysqld is on the PATH")
        self.folder = folder
        self.port = free_port()
        self.socket = str(folder / "mysql.sock")
        data = folder / "data"
        # Debian's /etc/mysql sets user=mysql, which root cannot keep:
        # --no-defaults ignores every option file, --user=root says who runs.
        as_root = ["--user=root"] if os.geteuid() == 0 else []
        small = ["--innodb-log-file-size=8M", "--innodb-buffer-pool-size=32M"]
        # Temporary tables in a folder of its own: two servers set up at the
        # same moment in the shared /tmp remove each other's files.
        temporary = folder / "tmp"
        temporary.mkdir()
        small.append(f"--tmpdir={temporary}")
        self.log_path = folder / "server.log"
        self._initialise(server, data, as_root + small)
        command = [
            server,
            "--no-defaults",
            *as_root,
            *small,
            f"--datadir={data}",
            f"--socket={self.socket}",
            f"--port={self.port}",
            "--bind-address=127.0.0.1",
            "--skip-log-bin",
            # As compose.yaml does for MySQL 8.4, and Debian's MariaDB config.
            "--character-set-server=utf8mb4",
            f"--log-error={self.log_path}",
        ]
        self._process = DatabaseProcess(command, self.port, self.log_path)

    def _initialise(self, server: str, data: Path, options: list[str]) -> None:
        version = subprocess.run(
            [server, "--version"], capture_output=True, text=True, check=True
        ).stdout
        if "MariaDB" in version:
            installer = shutil.which("mariadb-install-db", path=SEARCH_PATH)
            installer = installer or shutil.which("mysql_install_db", path=SEARCH_PATH)
            if installer is None:
                raise NoServerBinaries("mariadbd is there, mariadb-install-db is not")
            command = [
                installer,
                "--no-defaults",
                *options,
                f"--datadir={data}",
                "--auth-root-authentication-method=normal",  # root, no password
                "--skip-test-db",
            ]
        else:  # MySQL 8 initialises its data folder itself
            command = [
                server,
                "--no-defaults",
                *options,
                f"--datadir={data}",
                "--initialize-insecure",  # root, no password
            ]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} failed:\n{done.stdout}{done.stderr}")

    def start(self) -> None:
        self._process.start()

    def stop(self) -> None:
        """Shut the server down cleanly; every open connection is closed."""
        self._process.stop()

    def restart(self) -> None:
        self.stop()
        self.start()

    def admin(self) -> pymysql.Connection:
        """A root connection through the server's socket (autocommit)."""
        return pymysql.connect(
            unix_socket=self.socket,
            user="root",
            autocommit=True,
            read_timeout=30,
            ssl_disabled=True,
        )

    def add_account(
        self, user: str, password: str, databases: Sequence[str] = TUTORIAL_DATABASES
    ) -> Login:
        """An account with all rights on `databases` (patterns allowed), no more."""
        with self.admin() as connection, connection.cursor() as cursor:
            cursor.execute("CREATE USER %s@'%%' IDENTIFIED BY %s", (user, password))
            for pattern in databases:
                escaped = pattern.replace("%", "%%")  # pymysql's placeholders
                grant = f"GRANT ALL PRIVILEGES ON `{escaped}`.* TO %s@'%%'"
                cursor.execute(grant, (user,))
        return Login("127.0.0.1", self.port, user, password)


@contextmanager
def private_server() -> Iterator[PrivateServer]:
    """Start a private server; stop it and delete its data at the end."""
    with tempfile.TemporaryDirectory(prefix="mysql-") as folder:
        server = PrivateServer(Path(folder))
        server.start()
        try:
            yield server
        finally:
            server.stop()


@dataclass(frozen=True)
class FoundServer:
    login: Login
    private: PrivateServer | None


@contextmanager
def found_server(
    configured: Login, databases: Sequence[str] = TUTORIAL_DATABASES
) -> Iterator[FoundServer]:
    """The configured server if it lets us in, else a private one."""
    if configured.accepted():
        yield FoundServer(configured, None)
        return
    with private_server() as server:
        login = server.add_account(configured.user, configured.password, databases)
        yield FoundServer(login, server)


def session_server(
    configured: Login, chapter: str, databases: Sequence[str] = TUTORIAL_DATABASES
) -> Iterator[FoundServer]:
    """For a session fixture: `yield from session_server(login, "part4_mysql")`.

    Without any server it skips the chapter (fails under CI) and leaves a note
    for the coverage gate, which then leaves the chapter out.
    """
    try:
        with found_server(configured, databases) as found:
            yield found
            return
    except NoServerBinaries as missing:
        reason = (
            f"no MySQL server at {configured.host}:{configured.port} for "
            f"{configured.user!r}, and {missing}; see {START_MYSQL}"
        )
    if os.environ.get("CI"):
        pytest.fail(reason, pytrace=False)
    UNMEASURED.mkdir(exist_ok=True)
    (UNMEASURED / chapter).write_text(reason + "\n")
    pytest.skip(reason)
