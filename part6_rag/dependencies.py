"""What the endpoints need, each in one short name (FastAPI dependencies).

The clients and the store are made once per process by the lifespan
(main.py), which hands them to every request as `request.state`.
"""

from typing import Annotated

from fastapi import Depends, Path, Request
from openai import AsyncOpenAI
from sqlmodel import Session

from .database import get_session
from .indexing import Indexer
from .llm import Embedder
from .vectors import VectorStore

# scope="function": close the session before the answer is sent, so that an
# error while closing it (its connection just died) still becomes a 503.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
# Ids are 64-bit in every database later parts use; a larger id cannot exist.
PromptId = Annotated[int, Path(ge=1, le=2**63 - 1)]
RunId = Annotated[int, Path(ge=1, le=2**63 - 1)]
DocumentId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def get_llm(request: Request) -> AsyncOpenAI:
    """The one model client of this process, made by the lifespan."""
    llm: AsyncOpenAI = request.state.llm
    return llm


def get_embedder(request: Request) -> Embedder:
    embedder: Embedder = request.state.embedder
    return embedder


def get_store(request: Request) -> VectorStore:
    store: VectorStore = request.state.store
    return store


def get_indexer(request: Request) -> Indexer:
    indexer: Indexer = request.state.indexer
    return indexer


LLMDep = Annotated[AsyncOpenAI, Depends(get_llm)]
EmbedderDep = Annotated[Embedder, Depends(get_embedder)]
StoreDep = Annotated[VectorStore, Depends(get_store)]
IndexerDep = Annotated[Indexer, Depends(get_indexer)]
