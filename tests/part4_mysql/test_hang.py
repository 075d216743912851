"""A request that blocks for good ends the test run as a failure, not a stall.

A read with no time-out behind a silent network sits in the app's worker
thread; the test's main thread waits for TestClient to shut the app down.
pytest-timeout's thread method (pyproject.toml) still ends the run, and its
stack dump names the test. A signal in the main thread would wait too.
"""

import subprocess
import sys
import time
from pathlib import Path

from tests.serving import ROOT

BLOCKING_TEST = """
import socket
from fastapi import FastAPI
from fastapi.testclient import TestClient

silent = socket.create_server(("127.0.0.1", 0))  # accepts, never answers
app = FastAPI()


@app.get("/read")
def read() -> None:
    with socket.create_connection(silent.getsockname()) as connection:
        connection.recv(1)


def test_a_read_that_never_returns() -> None:
    with TestClient(app) as client:
        client.get("/read")
"""


def test_a_request_blocked_for_good_ends_the_run_naming_the_test(
    tmp_path: Path,
) -> None:
    (tmp_path / "test_blocked.py").write_text(BLOCKING_TEST)
    started = time.monotonic()
    # The project's own settings, with a two-second time-out.
    options = ["-c", str(ROOT / "pyproject.toml"), "--rootdir", str(tmp_path)]
    options += ["-o", "timeout=2", "-o", "addopts=", "-p", "no:cacheprovider"]
    test = str(tmp_path / "test_blocked.py")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *options, test],
        capture_output=True,
        text=True,
        timeout=50,
    )
    assert run.returncode != 0 and time.monotonic() - started < 45
    assert "Timeout" in run.stdout and "test_a_read_that_never_returns" in run.stdout
