"""Part 5: the prompt library calls a model, streams its answer, records each run.

This file only assembles the app: what starts and stops with it (the
lifespan), its routers, and its error handlers. The endpoints live in
routers/, one module per resource.
"""

import logging
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from typing import Any

from fastapi import FastAPI
from sqlalchemy.exc import SQLAlchemyError

from . import fake_provider
from .database import database, describe, is_unavailable
from .errors import DATABASE_DOWN, register_error_handlers
from .llm import make_client
from .routers import generation, health, prompts, runs
from .settings import LLMSettings

logger = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    try:
        database.create_tables()  # once per worker process, before its first request
    except SQLAlchemyError as error:
        if not is_unavailable(error):
            raise  # a bug, not an outage: fail loudly
        # Start anyway and answer 503 until MySQL is back, then create the
        # tables. One line, no traceback: the reader of this log needs the
        # address and the reason, not our stack.
        url = database.engine.url
        logger.warning(
            "MySQL at %s:%s is unavailable (%s); answering 503 until it is back",
            url.host,
            url.port,
            describe(error),
        )
    settings = LLMSettings()
    with ExitStack() as background:
        base_url = settings.base_url
        if base_url is None:
            # No provider configured: the fake one answers, from a thread.
            base_url = background.enter_context(fake_provider.serving_in_background())
            logger.warning(
                "LLM_BASE_URL is not set: the fake model at %s answers", base_url
            )
        async with make_client(settings, base_url) as llm:
            yield {"llm": llm}  # every request finds it in request.state.llm
    database.engine.dispose()


app = FastAPI(
    title="FastAPI for AI Engineers: Part 5, Prompt Library with a Model",
    version="5.0.0",
    description=(
        "Part 5 of the tutorial series: the prompt library of Part 4 on MySQL, "
        "which now sends a rendered prompt to an OpenAI-compatible model, as one "
        "answer or as a stream of Server-Sent Events, and records every run."
    ),
    lifespan=lifespan,
    responses=DATABASE_DOWN,  # every endpoint needs the database
)
app.include_router(health.router)
app.include_router(prompts.router)
app.include_router(generation.router)
app.include_router(runs.router)
register_error_handlers(app)  # errors.py: every failure answered in JSON
