"""Load a folder of Markdown and text files into the library, with a progress bar.

    python -m part6_rag.ingest docs/

If the app answers at --url (by default http://127.0.0.1:8000), each file is
uploaded to it (POST /documents/files) and the command waits until all are
indexed. Otherwise it does the same work itself, on the same MySQL database
and vector store the app uses (QDRANT_PATH or QDRANT_URL). A file ingested
again replaces the document that came from the same path.
"""

import argparse
import asyncio
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from sqlmodel import Session, col, delete, select
from tqdm import tqdm

from .database import SchemaBehind, database
from .main import services
from .models import Document, DocumentStatus
from .routers.documents import FIRST_HEADING, TEXT_EXTENSIONS

POLL_S = 0.2


def files_in(folder: Path) -> list[Path]:
    if folder.is_file():
        return [folder]
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in TEXT_EXTENSIONS)


def title_of(text: str, path: Path) -> str:
    heading = FIRST_HEADING.search(text)
    return (heading.group(1) if heading else path.name)[:200]


def documents_of(http: httpx.Client) -> Iterator[dict[str, object]]:
    offset = 0
    while page := http.get(
        "/documents", params={"offset": offset, "limit": 100}
    ).json():
        yield from page
        offset += len(page)


def through_the_app(http: httpx.Client, paths: list[Path]) -> list[dict[str, object]]:
    """Upload each file, replacing the document of the same source, and wait."""
    sources = {str(path) for path in paths}
    old = [d["id"] for d in documents_of(http) if d["source"] in sources]
    for document_id in old:
        http.delete(f"/documents/{document_id}")
    ids = []
    for path in tqdm(paths, desc="upload", unit="file"):
        kind = "text/plain" if path.suffix.lower() == ".txt" else "text/markdown"
        with path.open("rb") as file:
            upload = {"file": (str(path), file, kind)}
            answer = http.post("/documents/files", files=upload)
        answer.raise_for_status()
        ids.append(answer.json()["id"])
    settled: dict[int, dict[str, object]] = {}
    with tqdm(total=len(ids), desc="index", unit="doc") as bar:
        while len(settled) < len(ids):
            for document_id in ids:
                if document_id in settled:
                    continue
                document = http.get(f"/documents/{document_id}").json()
                if document["status"] != DocumentStatus.indexing:
                    settled[document_id] = document
                    bar.update()
            time.sleep(POLL_S)
    return [settled[document_id] for document_id in ids]


def replace_row(path: Path, text: str) -> int:
    with Session(database.engine, expire_on_commit=False) as session:
        stale = session.exec(
            select(Document.id).where(col(Document.source) == str(path))
        )
        old = [document_id for document_id in stale if document_id is not None]
        session.exec(delete(Document).where(col(Document.id).in_(old)))
        document = Document(
            title=title_of(text, path),
            source=str(path),
            text=text,
            characters=len(text),
        )
        session.add(document)
        session.commit()
        assert document.id is not None
        return document.id


async def by_itself(paths: list[Path]) -> list[dict[str, object]]:
    """The app's work without the app: rows in MySQL, chunks in the store."""
    database.check_schema()
    results = []
    async with services() as ready:
        for path in tqdm(paths, desc="index", unit="file"):
            text = path.read_text(encoding="utf-8")
            document_id = replace_row(path, text)
            await ready.store.remove(document_id)
            await ready.indexer.index(document_id)
            with Session(database.engine) as session:
                document = session.get(Document, document_id)
                assert document is not None
                results.append(
                    {
                        "id": document_id,
                        "status": document.status,
                        "error": document.error,
                    }
                )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a folder (or one file) to load")
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the app")
    options = parser.parse_args(argv)
    paths = files_in(options.folder)
    if not paths:
        print(f"No .md, .markdown or .txt file in {options.folder}", file=sys.stderr)
        return 2
    try:
        with httpx.Client(base_url=options.url, timeout=30) as http:
            http.get("/health")
            results = through_the_app(http, paths)
    except httpx.ConnectError:
        print(f"No app at {options.url}: indexing here", file=sys.stderr)
        try:
            results = asyncio.run(by_itself(paths))
        except SchemaBehind as behind:
            print(behind, file=sys.stderr)
            return 3
    failed = [r for r in results if r["status"] != DocumentStatus.ready]
    for result in failed:
        print(f"Document {result['id']} failed: {result['error']}", file=sys.stderr)
    print(f"{len(results) - len(failed)} of {len(results)} files ready")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
