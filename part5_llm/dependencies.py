"""What the endpoints need, each under one short name.

A route asks for `session: SessionDep` or `llm: LLMDep` and FastAPI hands it
over; every router imports these from here, so each is defined once.
"""

from typing import Annotated

from fastapi import Depends, Path, Query, Request
from openai import AsyncOpenAI
from sqlmodel import Session

from .database import get_session
from .errors import not_found
from .models import MAX_ID, Prompt

# scope="function": close the session before the answer is sent, so that an
# error while closing it (its connection just died) still becomes a 503.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]

PromptId = Annotated[int, Path(ge=1, le=MAX_ID)]
RunId = Annotated[int, Path(ge=1, le=MAX_ID)]
Offset = Annotated[int, Query(ge=0, le=MAX_ID)]
Limit = Annotated[int, Query(ge=1, le=100)]


def get_llm(request: Request) -> AsyncOpenAI:
    """The one model client of this process, made by the lifespan."""
    llm: AsyncOpenAI = request.state.llm
    return llm


LLMDep = Annotated[AsyncOpenAI, Depends(get_llm)]


def get_prompt(session: Session, prompt_id: int) -> Prompt:
    """The stored prompt, or a 404.

    A plain function, called by the endpoints once their input is valid: as a
    dependency it would run first, and a bad body sent to a missing prompt
    would get a 404 instead of its 422.
    """
    prompt = session.get(Prompt, prompt_id)
    if prompt is None:
        raise not_found(prompt_id)
    return prompt
