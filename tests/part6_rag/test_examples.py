"""The chapter's walk, replayed on a fresh app: the tutorial's own docs/
loaded by the ingest command as the page prints it, then each example
pasted into bash, printing its Answer box (scores and times aside).

The corpus is the whole site, so an edit anywhere in docs/ can change which
chunks a search finds: after one, rerun this test with UPDATE_EXAMPLES=1 and
read the diff of docs/examples/part6_rag/ before committing it.
"""

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator

import pytest

from tests.examples import check_examples
from tests.part6_rag.conftest import alembic, measured, start_app
from tests.serving import ROOT, ServerProcess
from tests.site.printed import ingest_command

# Embedding the whole of docs/ in 8-chunk batches on a loaded machine: a
# batch has taken more than the tests' usual 10 seconds.
SLOW_MACHINE_TIMEOUT_S = "300"


@pytest.fixture
def fresh_app(
    fresh_database: dict[str, str], app_environment: dict[str, str]
) -> Iterator[ServerProcess]:
    """The app on an empty database and an empty Qdrant folder."""
    alembic(fresh_database, "upgrade", "head")
    environment = app_environment | fresh_database
    environment |= {"EMBEDDING_TIMEOUT_S": SLOW_MACHINE_TIMEOUT_S}
    with tempfile.TemporaryDirectory(prefix="qdrant-") as folder:
        server = start_app(environment, folder)
        try:
            server.wait_until_up(120)
            yield server
        finally:
            server.stop()


@pytest.mark.timeout(1800)
def test_the_ingest_command_and_the_examples_print_what_the_page_shows(
    fresh_app: ServerProcess,
) -> None:
    printed = ingest_command().split()
    command = [sys.executable, *printed[1:], "--url", fresh_app.base_url]
    done = subprocess.run(
        command,
        cwd=ROOT,
        env=os.environ | measured({}),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    loaded = re.search(r"(\d+) of (\d+) files ready", done.stdout)
    assert loaded and loaded[1] == loaded[2], done.stdout
    check_examples(fresh_app.base_url, "part6_rag")
