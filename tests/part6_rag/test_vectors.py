"""The vector store in local mode, in this process, on a real Qdrant folder."""

import asyncio
from pathlib import Path

import pytest

from part6_rag.chunking import Chunk
from part6_rag.models import Document, Hit
from part6_rag.settings import QdrantSettings
from part6_rag.vectors import FolderInUse, VectorStore, connect


def local(folder: Path) -> QdrantSettings:
    return QdrantSettings(url=None, path=str(folder))


def test_a_folder_another_client_holds_is_refused_naming_qdrant_url(
    tmp_path: Path,
) -> None:
    first = connect(local(tmp_path))
    try:
        with pytest.raises(FolderInUse, match="set QDRANT_URL"):
            connect(local(tmp_path))
    finally:
        asyncio.run(first.close())


def test_a_search_before_anything_is_indexed_finds_nothing(tmp_path: Path) -> None:
    async def search() -> list[object]:
        client = connect(local(tmp_path))
        try:
            store = VectorStore(client, "chunks", "a-model")
            return list(await store.search([1.0, 0.0], k=3))
        finally:
            await client.close()

    assert asyncio.run(search()) == []


async def search_beside_a_document_still_indexing(folder: Path) -> list[Hit]:
    """Two farther chunks of a ready document, the nearest of one not ready."""
    client = connect(local(folder))
    try:
        store = VectorStore(client, "chunks", "a-model")
        await store.prepare(3)
        ready = Document(id=1, title="ready", text="far a\n\nfar b")
        far = [Chunk(0, "", "far a"), Chunk(1, "", "far b")]
        await store.add(ready, far, [[0.6, 0.8, 0.0], [0.0, 0.0, 1.0]])
        await store.publish(1)
        indexing = Document(id=2, title="indexing", text="near")
        await store.add(indexing, [Chunk(0, "", "near")], [[1.0, 0.0, 0.0]])
        return await store.search([1.0, 0.0, 0.0], k=2)
    finally:
        await client.close()


def test_search_passes_over_the_nearest_chunks_of_a_document_not_ready(
    tmp_path: Path,
) -> None:
    hits = asyncio.run(search_beside_a_document_still_indexing(tmp_path))
    assert [(hit.document_id, hit.chunk) for hit in hits] == [(1, 0), (1, 1)]
