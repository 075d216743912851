"""Indexing: a document's text becomes searchable chunks, after the 202.

For each document: split it, embed the chunks in batches, store them in
Qdrant (not yet searchable), then make them searchable and the document
`ready` together. Any failure leaves the document `failed` with a reason and
no point of it in the store. MySQL's row says what is true: a document that
is deleted while it is indexed has its points removed by whoever comes last.
"""

import asyncio
import logging
from contextlib import suppress
from datetime import UTC, datetime

import anyio.to_thread
from openai import APIError
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select, update

from .chunking import Chunk, split
from .database import database, describe
from .llm import Embedder, embedding_failure
from .models import Document, DocumentStatus
from .vectors import CollectionMismatch, StoreUnavailable, VectorStore

logger = logging.getLogger(__name__)

# Documents indexed at once: embedding is the slow part, and more at a time
# would only queue at the embedding provider.
CONCURRENT_DOCUMENTS = 2


def passage_text(document: Document, chunk: Chunk) -> str:
    """What the embedding reads: where the chunk is, then what it says."""
    where = " \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} ".join(
        part for part in (document.title, chunk.heading) if part
    )
    return f"{where}\n\n{chunk.text}"


def load(document_id: int) -> Document | None:
    with Session(database.engine, expire_on_commit=False) as session:
        return session.get(Document, document_id)


def still_indexing(document_id: int) -> bool:
    with Session(database.engine) as session:
        status = session.scalar(
            select(Document.status).where(col(Document.id) == document_id)
        )
    return status == DocumentStatus.indexing


def finish(document_id: int, **values: object) -> bool:
    """Set the outcome, if the document is still there and still indexing."""
    with Session(database.engine) as session:
        result = session.exec(
            update(Document)
            .where(col(Document.id) == document_id)
            .where(col(Document.status) == DocumentStatus.indexing)
            .values(**values)
        )
        session.commit()
        return bool(result.rowcount)


def left_indexing() -> list[int]:
    """Documents that a process which died was indexing."""
    with Session(database.engine) as session:
        statement = select(Document.id).where(
            col(Document.status) == DocumentStatus.indexing
        )
        return [document_id for document_id in session.exec(statement) if document_id]


class Indexer:
    """The indexing tasks of this process, at most CONCURRENT_DOCUMENTS at once."""

    def __init__(self, embedder: Embedder, store: VectorStore) -> None:
        self.embedder = embedder
        self.store = store
        self.tasks: dict[int, asyncio.Task[None]] = {}
        self.slots = asyncio.Semaphore(CONCURRENT_DOCUMENTS)

    def start(self, document_id: int) -> None:
        """Index the document in the background (again, if it was under way)."""
        self.cancel(document_id)
        task = asyncio.create_task(self._run(document_id), name=f"index-{document_id}")
        self.tasks[document_id] = task
        task.add_done_callback(lambda done: self._forget(document_id, done))

    def cancel(self, document_id: int) -> None:
        if (task := self.tasks.pop(document_id, None)) is not None:
            task.cancel()

    def _forget(self, document_id: int, task: asyncio.Task[None]) -> None:
        if self.tasks.get(document_id) is task:
            del self.tasks[document_id]

    async def pick_up(self) -> None:
        """Start again what a process that died left `indexing`."""
        for document_id in await anyio.to_thread.run_sync(left_indexing):
            logger.info("Document %s was left indexing: indexing it again", document_id)
            self.start(document_id)

    async def stop(self) -> None:
        """Cancel every task: their documents stay `indexing`, picked up at start."""
        tasks = list(self.tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _run(self, document_id: int) -> None:
        async with self.slots:
            try:
                await self.index(document_id)
            except SQLAlchemyError as error:
                # MySQL went away: the document stays `indexing`, and the
                # next start of the app picks it up.
                logger.warning(
                    "Indexing document %s stopped: %s", document_id, describe(error)
                )

    async def index(self, document_id: int) -> None:
        document = await anyio.to_thread.run_sync(load, document_id)
        if document is None:
            return  # deleted before we began
        chunks = split(document.text)
        try:
            await self.store.remove(document_id)  # what an earlier try left
            done = 0
            async for vectors in self.embedder.passages(
                [passage_text(document, chunk) for chunk in chunks]
            ):
                if done == 0:
                    await self.store.prepare(len(vectors[0]))
                await self.store.add(
                    document, chunks[done : done + len(vectors)], vectors
                )
                done += len(vectors)
                if not await anyio.to_thread.run_sync(still_indexing, document_id):
                    await self.store.remove(document_id)  # deleted meanwhile
                    return
            await self.store.publish(document_id)
        except APIError as error:
            await self._fail(document_id, str(embedding_failure(error).detail))
            return
        except CollectionMismatch as error:
            await self._fail(document_id, str(error))
            return
        except StoreUnavailable as error:
            await self._fail(document_id, f"The vector store failed: {error}")
            return
        ready = await anyio.to_thread.run_sync(
            lambda: finish(
                document_id,
                status=DocumentStatus.ready,
                error=None,
                chunks=len(chunks),
                embedding_model=self.embedder.model,
                indexed_at=datetime.now(UTC),
            )
        )
        if not ready:  # deleted between the last check and now
            await self.store.remove(document_id)

    async def _fail(self, document_id: int, reason: str) -> None:
        logger.warning("Indexing document %s failed: %s", document_id, reason)
        await anyio.to_thread.run_sync(
            lambda: finish(document_id, status=DocumentStatus.failed, error=reason)
        )
        # Its points are not `ready`, so search never returns them; and if the
        # store is down, the next indexing of the document removes them.
        with suppress(StoreUnavailable):
            await self.store.remove(document_id)
