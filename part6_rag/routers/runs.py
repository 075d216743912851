"""The record of every run: newest first, or one by its id."""

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel import col, select

from ..dependencies import Limit, Offset, RunId, SessionDep
from ..errors import RUN_NOT_FOUND, run_not_found
from ..models import MAX_ID, Run, RunPublic

router = APIRouter(prefix="/runs", tags=["runs"])


@router.get("", response_model=list[RunPublic])
def list_runs(
    session: SessionDep,
    prompt_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    offset: Offset = 0,
    limit: Limit = 20,
) -> Sequence[Run]:
    statement = select(Run)
    if prompt_id is not None:
        statement = statement.where(col(Run.prompt_id) == prompt_id)
    newest_first = statement.order_by(col(Run.created_at).desc(), col(Run.id).desc())
    return session.exec(newest_first.offset(offset).limit(limit)).all()


@router.get("/{run_id}", response_model=RunPublic, responses=RUN_NOT_FOUND)
def read_run(run_id: RunId, session: SessionDep) -> Run:
    run = session.get(Run, run_id)
    if run is None:
        raise run_not_found(run_id)
    return run
