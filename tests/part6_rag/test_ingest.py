"""`python -m part6_rag.ingest FOLDER`: a folder of Markdown into the library."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import pytest

from part6_rag.ingest import files_in
from tests.part6_rag.conftest import alembic, measured, provider_environment
from tests.serving import ROOT, ServerProcess, free_port

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "one.md").write_text("# One\nThe first chapter.")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "two.txt").write_text("The second, in plain text.")
    (tmp_path / "skip.png").write_bytes(b"\x89PNG")
    return tmp_path


def ingest(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "part6_rag.ingest", *args],
        cwd=ROOT,
        env=os.environ | measured(env or {}),
        capture_output=True,
        text=True,
        timeout=150,
    )


def test_a_folder_is_uploaded_to_the_running_app(
    http: httpx.Client, app_server: ServerProcess, folder: Path
) -> None:
    done = ingest(str(folder), "--url", app_server.base_url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2 of 2 files ready"
    assert "upload" in done.stderr  # the progress bars
    sources = {str(folder / "one.md"), str(folder / "sub" / "two.txt")}
    listed = [d for d in http.get("/documents", params={"limit": 100}).json()]
    mine = [d for d in listed if d["source"] in sources]
    assert {d["title"] for d in mine} == {"One", "two.txt"}


def test_ingesting_again_replaces_the_documents_of_the_same_files(
    http: httpx.Client, app_server: ServerProcess, folder: Path
) -> None:
    for _ in range(2):
        assert ingest(str(folder), "--url", app_server.base_url).returncode == 0
    listed = http.get("/documents", params={"limit": 100}).json()
    assert sum(d["source"] == str(folder / "one.md") for d in listed) == 1


def test_without_an_app_the_command_indexes_by_itself(
    fresh_database: dict[str, str], fake: ServerProcess, folder: Path
) -> None:
    alembic(fresh_database, "upgrade", "head")
    with tempfile.TemporaryDirectory(prefix="qdrant-") as store:
        env = fresh_database | provider_environment(fake) | {"QDRANT_PATH": store}
        url = f"http://127.0.0.1:{free_port()}"
        done = ingest(str(folder), "--url", url, env=env)
        assert done.returncode == 0, done.stderr
        assert "indexing here" in done.stderr
        assert done.stdout.strip() == "2 of 2 files ready"


def test_a_folder_without_text_files_is_refused(tmp_path: Path) -> None:
    done = ingest(str(tmp_path))
    assert done.returncode == 2
    assert "No .md, .markdown or .txt file" in done.stderr


def test_without_an_app_a_database_behind_is_named(
    fresh_database: dict[str, str], fake: ServerProcess, folder: Path
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    done = ingest(str(folder), "--url", url, env=fresh_database)
    assert done.returncode == 3
    assert "upgrade head" in done.stderr


def test_a_file_given_instead_of_a_folder_is_the_one_file_loaded(folder: Path) -> None:
    assert files_in(folder / "sub" / "two.txt") == [folder / "sub" / "two.txt"]
