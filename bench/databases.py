"""Throwaway databases for one benchmark run, removed when it ends.

Every app under test gets a database of its own, so that one app's writes
never slow another's reads. SQLite files go to a temporary folder. MySQL
databases are created with the tutorial's account (never root) and named
`prompt_library_test_bench_*`, a pattern that account may create and drop;
the reader's own `prompt_library` database is never touched.
"""

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pymysql


@dataclass(frozen=True)
class MySQLServer:
    """Where MySQL runs, read from the same variables Part 4 reads."""

    host: str = os.environ.get("MYSQL_HOST", "127.0.0.1")
    port: int = int(os.environ.get("MYSQL_PORT", "3306"))
    user: str = os.environ.get("MYSQL_USER", "tutorial")
    password: str = os.environ.get("MYSQL_PASSWORD", "tutorial-dev-only")

    def connect(self) -> pymysql.connections.Connection:  # type: ignore[type-arg]
        return pymysql.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            connect_timeout=3,
            autocommit=True,
            ssl_disabled=True,  # as the parts connect
        )

    def unavailable_reason(self) -> str | None:
        """None when the server answers, otherwise why it does not."""
        try:
            self.connect().close()
        except pymysql.MySQLError as error:
            return f"no MySQL server at {self.host}:{self.port} ({error.args[-1]})"
        return None


@dataclass
class Databases:
    mysql: MySQLServer = field(default_factory=MySQLServer)
    folder: Path = field(
        default_factory=lambda: Path(tempfile.mkdtemp(prefix="prompt-bench-"))
    )
    mysql_names: list[str] = field(default_factory=list)

    def sqlite_url(self, key: str) -> str:
        return f"sqlite:///{self.folder / key}.db"

    def create_mysql(self, key: str) -> str:
        """Create an empty database for `key`; return its name."""
        name = f"prompt_library_test_bench_{os.getpid()}_{key}"
        with self.mysql.connect() as connection, connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
            cursor.execute(
                f"CREATE DATABASE `{name}` "
                "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
        self.mysql_names.append(name)
        return name

    def mysql_env(self, name: str) -> dict[str, str]:
        """The variables Part 4 reads to find its database."""
        return {
            "MYSQL_HOST": self.mysql.host,
            "MYSQL_PORT": str(self.mysql.port),
            "MYSQL_USER": self.mysql.user,
            "MYSQL_PASSWORD": self.mysql.password,
            "MYSQL_DATABASE": name,
        }

    def mysql_url(self, name: str) -> str:
        user, password = quote(self.mysql.user), quote(self.mysql.password)
        host = f"{self.mysql.host}:{self.mysql.port}"
        return f"mysql+pymysql://{user}:{password}@{host}/{name}?charset=utf8mb4"

    def remove_all(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        if not self.mysql_names:
            return
        with self.mysql.connect() as connection, connection.cursor() as cursor:
            for name in self.mysql_names:
                cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        self.mysql_names.clear()
