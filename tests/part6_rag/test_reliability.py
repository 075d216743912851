"""Part 6 when things go wrong: each test runs an app of its own, on real parts.

An embedding provider that goes away, an app killed with SIGKILL while it
indexes, a document deleted mid-way, a collection built by another model,
two processes on one local folder, a database that is behind.
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from qdrant_client import QdrantClient, models

from tests.part6_rag.conftest import (
    API_KEY,
    FAKE_ENVIRONMENT,
    alembic,
    measured,
    provider_environment,
    start_app,
)
from tests.part6_rag.helpers import add_document, unique_word, wait_for, wait_until
from tests.serving import LOG_FOLDER, ROOT, ServerProcess, free_port

# Each test starts one or two apps, and waits for real embeddings: on a busy
# machine that takes longer than the usual minute.
pytestmark = pytest.mark.timeout(180)

# Twelve small chunks, embedded one per call (BATCH_OF_ONE): slow enough to be
# caught mid-way, quick to embed.
LONG = "\n".join(f"# Section {n}\nSection {n} says a few words." for n in range(12))
BATCH_OF_ONE = {"EMBEDDING_BATCH_SIZE": "1"}


@pytest.fixture
def database(fresh_database: dict[str, str]) -> dict[str, str]:
    alembic(fresh_database, "upgrade", "head")
    return fresh_database


@pytest.fixture
def folder() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="qdrant-") as path:
        yield path


@contextmanager
def app(environment: dict[str, str], folder: str) -> Iterator[httpx.Client]:
    server = start_app(environment, folder)
    try:
        server.wait_until_up()
        with httpx.Client(base_url=server.base_url, timeout=20) as client:
            client.server = server  # type: ignore[attr-defined]
            yield client
    finally:
        server.stop()


def fake_on(port: int) -> ServerProcess:
    """A fake provider on a port of our choice, so that it can come back there."""
    log = Path(LOG_FOLDER.name) / f"fake-{port}-{time.monotonic_ns()}.log"
    command = [
        str(Path(sys.executable).with_name("uvicorn")),
        "part6_rag.fake_provider:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=os.environ | measured(FAKE_ENVIRONMENT),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = ServerProcess(process, f"http://127.0.0.1:{port}", log)
    server.wait_until_up()
    return server


def embedding_calls(fake: ServerProcess, word: str) -> list[dict[str, Any]]:
    calls = httpx.get(f"{fake.base_url}/fake/calls", timeout=10).json()
    return [c for c in calls if word in c["prompt"] and c["outcome"] == "completed"]


def points_of(folder: str, document_id: int) -> int:
    """How many points of the document the local store holds (app stopped)."""
    store = QdrantClient(path=folder)
    try:
        if not store.collection_exists("chunks"):
            return 0
        match = models.MatchValue(value=document_id)
        condition = models.FieldCondition(key="document_id", match=match)
        counted = store.count(
            "chunks", count_filter=models.Filter(must=[condition]), exact=True
        )
        return counted.count
    finally:
        store.close()


def test_an_embedding_outage_fails_the_document_and_reindex_recovers_it(
    database: dict[str, str], folder: str, fake: ServerProcess
) -> None:
    port = free_port()
    embedder = fake_on(port)
    environment = database | provider_environment(fake)
    environment["EMBEDDING_BASE_URL"] = f"http://127.0.0.1:{port}/v1"
    try:
        with app(environment, folder) as http:
            embedder.stop()
            word = unique_word()
            document = add_document(http, f"{word} survives outages.")
            failed = wait_until(http, document["id"], "failed")
            assert "embedding provider cannot be reached" in failed["error"]
            search = http.get("/search", params={"q": word})
            assert search.status_code == 503
            assert "embedding provider" in search.json()["detail"]
            assert http.post("/ask", json={"question": word}).status_code == 503

            embedder = fake_on(port)
            assert http.post(f"/documents/{document['id']}/reindex").status_code == 202
            ready = wait_until(http, document["id"], "ready")
            assert ready["error"] is None
            [hit] = http.get("/search", params={"q": word, "k": 1}).json()
            assert hit["document_id"] == document["id"]
    finally:
        embedder.stop()


def test_after_a_kill_during_indexing_nothing_stays_indexing_nor_shows_early(
    database: dict[str, str], folder: str, fake: ServerProcess
) -> None:
    environment = database | provider_environment(fake) | BATCH_OF_ONE
    word = unique_word()
    with app(environment, folder) as http:
        # The title is in what every chunk's embedding reads: the fake sees it.
        document = add_document(http, LONG, title=word)
        # The second batch is asked for once the first is in the store.
        wait_for(lambda: len(embedding_calls(fake, word)) >= 2, timeout=30)
        os.killpg(http.server.process.pid, signal.SIGKILL)  # type: ignore[attr-defined]
        http.server.process.wait()  # type: ignore[attr-defined]
    assert points_of(folder, document["id"]) > 0  # stored, never made searchable
    with app(environment, folder) as http:
        seen = []
        while (status := http.get(f"/documents/{document['id']}").json()["status"]) != (
            "ready"
        ):
            assert status == "indexing"
            hits = http.get("/search", params={"q": word, "k": 20}).json()
            seen += [hit for hit in hits if hit["document_id"] == document["id"]]
            time.sleep(0.1)
        assert seen == []
        hits = http.get("/search", params={"q": word, "k": 20}).json()
        assert any(hit["document_id"] == document["id"] for hit in hits)


def test_a_document_deleted_while_it_indexes_leaves_no_point(
    database: dict[str, str], folder: str, fake: ServerProcess
) -> None:
    environment = database | provider_environment(fake) | BATCH_OF_ONE
    word = unique_word()
    with app(environment, folder) as http:
        document = add_document(http, LONG, title=word)
        wait_for(lambda: embedding_calls(fake, word), timeout=30)
        assert http.delete(f"/documents/{document['id']}").status_code == 204
        time.sleep(1)  # a batch under way when the task was cancelled
    assert points_of(folder, document["id"]) == 0


def test_a_collection_of_another_model_is_a_clear_409_and_reindex_rebuilds_it(
    database: dict[str, str], folder: str, fake: ServerProcess
) -> None:
    environment = database | provider_environment(fake)
    word = unique_word()
    with app(environment, folder) as http:
        first = add_document(http, f"{word} is in both models.")
        wait_until(http, first["id"], "ready")
    environment["EMBEDDING_MODEL"] = "fake-dim-64"
    with app(environment, folder) as http:
        search = http.get("/search", params={"q": word})
        assert search.status_code == 409
        detail = search.json()["detail"]
        assert "multilingual-e5-small (384 dimensions)" in detail
        assert "fake-dim-64 (64 dimensions)" in detail
        assert "reindex" in detail
        assert http.post("/ask", json={"question": word}).status_code == 409
        second = add_document(http, "A new document, for the new model.")
        assert "fake-dim-64" in wait_until(http, second["id"], "failed")["error"]

        assert http.post(f"/documents/{first['id']}/reindex").status_code == 202
        for document in (first, second):
            ready = wait_until(http, document["id"], "ready")
            assert ready["embedding_model"] == "fake-dim-64"
        [hit] = http.get("/search", params={"q": word, "k": 1}).json()
        assert hit["document_id"] == first["id"]


def test_a_second_process_on_the_local_folder_stops_with_one_line(
    database: dict[str, str], folder: str, fake: ServerProcess
) -> None:
    environment = database | provider_environment(fake)
    with app(environment, folder):
        second = start_app(environment, folder)
        assert second.process.wait(timeout=30) != 0
    lines = [line for line in second.log().splitlines() if "QDRANT_URL" in line]
    assert len(lines) == 1
    assert "Traceback" not in second.log()


def test_an_app_on_a_database_that_is_behind_stops_naming_the_command(
    fresh_database: dict[str, str], folder: str, fake: ServerProcess
) -> None:
    alembic(fresh_database, "upgrade", "0001")  # Part 5's schema
    server = start_app(fresh_database | provider_environment(fake), folder)
    assert server.process.wait(timeout=30) != 0
    log = server.log()
    assert "alembic -c part6_rag/alembic.ini upgrade head" in log
    assert "revision 0001" in log
    assert "Traceback" not in log


def test_a_vector_store_that_does_not_answer_is_a_503(
    database: dict[str, str], folder: str, fake: ServerProcess
) -> None:
    environment = database | provider_environment(fake)
    environment["QDRANT_URL"] = f"http://127.0.0.1:{free_port()}"
    with app(environment, folder) as http:
        health = http.get("/health")
        assert health.status_code == 503
        assert health.json() == {
            "detail": "Vector store unavailable, try again shortly"
        }
        assert http.get("/search", params={"q": "x"}).status_code == 503
        assert API_KEY not in health.text
