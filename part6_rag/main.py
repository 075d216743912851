"""Part 6: the prompt library answers from your documents, and cites them."""

import logging
import os
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, ExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any, NoReturn

from fastapi import FastAPI
from openai import AsyncOpenAI
from sqlalchemy.exc import SQLAlchemyError

from . import fake_provider
from .database import SchemaBehind, database, describe, is_unavailable
from .errors import DATABASE_DOWN, register_error_handlers
from .indexing import Indexer
from .limits import BodyLimit
from .llm import Embedder, make_client, make_embedding_client
from .routers import ask, documents, generation, health, prompts, runs
from .settings import EmbeddingSettings, LLMSettings, QdrantSettings
from .vectors import FolderInUse, VectorStore, connect

logger = logging.getLogger(__name__)


def stop_now(reason: Exception) -> NoReturn:
    """Stop the process at once, with the reason on one line and no traceback.

    An exception would do it too, but the server would print our stack
    under it: a reader needs the one line that says what to do.
    """
    logger.error("%s", reason)
    logging.shutdown()
    os._exit(3)


def check_database() -> bool:
    """Whether MySQL answered; CannotStart if its schema is behind the code."""
    try:
        database.check_schema()
    except SchemaBehind as behind:
        stop_now(behind)
    except SQLAlchemyError as error:
        if not is_unavailable(error):
            raise  # a bug, not an outage: fail loudly
        url = database.engine.url
        logger.warning(
            "MySQL at %s:%s is unavailable (%s); answering 503 until it is back",
            url.host,
            url.port,
            describe(error),
        )
        return False
    return True


@dataclass
class Services:
    """What every request may need, made once per process."""

    llm: AsyncOpenAI
    embedder: Embedder
    store: VectorStore
    indexer: Indexer


@asynccontextmanager
async def services() -> AsyncIterator[Services]:
    """The model and embedding clients, the vector store and the indexer.

    With no provider configured, the fake one answers, from a thread. The
    ingest command (ingest.py) uses the same, without a web server.
    """
    llm_settings, embedding_settings = LLMSettings(), EmbeddingSettings()
    qdrant = QdrantSettings()
    try:
        store_client = connect(qdrant)
    except FolderInUse as in_use:
        stop_now(in_use)
    with ExitStack() as background:
        base_url = llm_settings.base_url
        embedding_url = embedding_settings.base_url or base_url
        if base_url is None or embedding_url is None:
            fake_url = background.enter_context(fake_provider.serving_in_background())
            logger.warning("No provider set: the fake model at %s answers", fake_url)
            base_url, embedding_url = base_url or fake_url, embedding_url or fake_url
        key = embedding_settings.api_key or llm_settings.api_key
        async with AsyncExitStack() as clients:
            llm = await clients.enter_async_context(make_client(llm_settings, base_url))
            embedding_client = await clients.enter_async_context(
                make_embedding_client(
                    embedding_settings, embedding_url, key.get_secret_value()
                )
            )
            clients.push_async_callback(store_client.close)
            embedder = Embedder(embedding_client, embedding_settings)
            store = VectorStore(store_client, qdrant.collection, embedder.model)
            indexer = Indexer(embedder, store)
            try:
                yield Services(llm, embedder, store, indexer)
            finally:
                await indexer.stop()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    mysql_up = check_database()
    async with services() as ready:
        if mysql_up:
            await ready.indexer.pick_up()  # what a process that died left undone
        # Every request finds them in request.state (dependencies.py).
        yield vars(ready)
    database.engine.dispose()


app = FastAPI(
    title="FastAPI for AI Engineers: Part 6, Answers from Your Documents",
    version="6.0.0",
    description=(
        "Part 6 of the tutorial series: the prompt library of Part 5, which now "
        "keeps documents, splits them into chunks, embeds them into a Qdrant "
        "vector store, searches them by meaning, and answers questions from "
        "them with cited sources, at once or as a stream."
    ),
    lifespan=lifespan,
    responses=DATABASE_DOWN,  # every endpoint needs the database
)
register_error_handlers(app)
app.add_middleware(
    BodyLimit,
    limits={
        "/documents": documents.MAX_JSON_BYTES,
        "/documents/files": documents.MAX_UPLOAD_BYTES,
    },
)
for router in (health, prompts, generation, runs, documents, ask):
    app.include_router(router.router)
