"""Run a part's real server the way a reader does, on a free local port.

Smoke tests pass the exact command the chapter prints (for example
`uvicorn part1_hello.main:app --reload`); this module runs it from the
repository root with the virtual environment's scripts, adds `--port`, waits
until the server answers and stops it, with its children, afterwards.
"""

import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
# Every server's log, kept until this test run ends, then removed with it.
LOG_FOLDER = tempfile.TemporaryDirectory(prefix="tutorial-server-logs-")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class ServerProcess:
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_until_up(self, timeout: float = 30.0, path: str = "/openapi.json") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()}")
            try:
                httpx.get(self.base_url + path, timeout=1.0)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise TimeoutError(f"server did not answer within {timeout}s:\n{self.log()}")

    def wait_for_workers(self, count: int, timeout: float = 30.0) -> None:
        """With --workers N the server answers once one worker is up; wait for all."""
        deadline = time.monotonic() + timeout
        while self.log().count("Application startup complete.") < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{count} workers did not start:\n{self.log()}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            # The whole process group: --reload and --workers start children.
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def start_server(
    command: str, env: dict[str, str] | None = None, cwd: Path = ROOT
) -> ServerProcess:
    """Start `command` as printed in a chapter, on a free port; do not wait.

    It runs in `cwd`, the repository root unless a test serves a copy.
    """
    port = free_port()
    args = shlex.split(command)
    # `uvicorn` or `fastapi`, from the same environment as the tests.
    args[0] = str(Path(sys.executable).with_name(args[0]))
    args += ["--host", "127.0.0.1", "--port", str(port)]
    log_file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed by the OS
        prefix="server-", suffix=".log", dir=LOG_FOLDER.name, delete=False
    )
    process = subprocess.Popen(
        args,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return ServerProcess(process, f"http://127.0.0.1:{port}", Path(log_file.name))


@contextmanager
def running_server(
    command: str, env: dict[str, str] | None = None, timeout: float = 30.0
) -> Iterator[ServerProcess]:
    """Start `command`, wait until it answers, and stop it afterwards."""
    server = start_server(command, env)
    try:
        server.wait_until_up(timeout)
        yield server
    finally:
        server.stop()
