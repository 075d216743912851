"""GET /health: are the database and the vector store answering?"""

import anyio.to_thread
from fastapi import APIRouter
from sqlalchemy import text as sql

from ..dependencies import SessionDep, StoreDep
from ..models import Health

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(session: SessionDep, store: StoreDep) -> Health:
    # If MySQL or Qdrant does not answer: a 503, as anywhere.
    await anyio.to_thread.run_sync(session.scalar, sql("SELECT 1"))
    await store.ping()
    return Health(status="ok", database="ok", vectors="ok")
