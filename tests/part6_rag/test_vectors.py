"""The vector store in local mode, in this process, on a real Qdrant folder."""

import asyncio
from pathlib import Path

import pytest

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
