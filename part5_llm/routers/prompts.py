"""The prompt library of Part 4: create, list, read, change, delete, render."""

from collections.abc import Sequence

from fastapi import APIRouter, HTTPException, status
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, delete, select

from ..database import DUPLICATE_KEY, error_number
from ..dependencies import Limit, Offset, PromptId, SessionDep, get_prompt
from ..errors import BAD_BODY, CONFLICT, NOT_FOUND, name_taken, not_found
from ..models import (
    Prompt,
    PromptCreate,
    PromptPublic,
    PromptUpdate,
    RenderRequest,
    RenderResponse,
    name_key,
)
from ..rendering import placeholders, render

router = APIRouter(prefix="/prompts", tags=["prompts"])


def save_prompt(session: Session, prompt: Prompt) -> Prompt:
    """Write a new or changed prompt; a name already in use becomes a 409."""
    name = prompt.name
    prompt.name_key = name_key(name)
    session.add(prompt)
    try:
        session.commit()
    except IntegrityError as error:
        # A failed statement leaves the transaction unusable: roll it back
        # before anything else touches the session.
        session.rollback()
        # The UNIQUE key decides, even between two requests racing for a name.
        if error_number(error) == DUPLICATE_KEY:
            raise name_taken(name) from None
        raise  # another constraint failed: a bug in this code, not the client's
    return prompt


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=PromptPublic,
    responses=CONFLICT | BAD_BODY,
)
def create_prompt(prompt: PromptCreate, session: SessionDep) -> Prompt:
    return save_prompt(session, Prompt.model_validate(prompt))


@router.get("", response_model=list[PromptPublic])
def list_prompts(
    session: SessionDep, offset: Offset = 0, limit: Limit = 20
) -> Sequence[Prompt]:
    statement = select(Prompt).order_by(col(Prompt.id)).offset(offset).limit(limit)
    return session.exec(statement).all()


@router.get("/{prompt_id}", response_model=PromptPublic, responses=NOT_FOUND)
def read_prompt(prompt_id: PromptId, session: SessionDep) -> Prompt:
    return get_prompt(session, prompt_id)


@router.patch(
    "/{prompt_id}",
    response_model=PromptPublic,
    responses=NOT_FOUND | CONFLICT | BAD_BODY,
)
def update_prompt(
    prompt_id: PromptId, changes: PromptUpdate, session: SessionDep
) -> Prompt:
    prompt = get_prompt(session, prompt_id)
    # exclude_unset: only the fields the client actually sent.
    prompt.sqlmodel_update(changes.model_dump(exclude_unset=True))
    try:
        return save_prompt(session, prompt)
    except StaleDataError:
        # Another request deleted the prompt after we read it: it is gone.
        session.rollback()
        raise not_found(prompt_id) from None


@router.delete(
    "/{prompt_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=NOT_FOUND | CONFLICT,
)
def delete_prompt(prompt_id: PromptId, session: SessionDep) -> None:
    # One statement finds and deletes the row, so of two racing deletes only
    # one can remove it; the other learns from the row count that it did not.
    result = session.exec(delete(Prompt).where(col(Prompt.id) == prompt_id))
    session.commit()
    if result.rowcount == 0:
        raise not_found(prompt_id)


def fill(template: str, variables: dict[str, str]) -> str:
    """The rendered template; a 422 if any placeholder has no value."""
    missing = [n for n in placeholders(template) if n not in variables]
    if missing:
        # The same shape as FastAPI's own validation errors, one entry per name.
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            [
                {
                    "type": "missing_variable",
                    "loc": ["body", "variables", name],
                    "msg": f"Missing variable {name!r}",
                }
                for name in missing
            ],
        )
    return render(template, variables)


@router.post("/{prompt_id}/render", responses=NOT_FOUND | BAD_BODY)
def render_prompt(
    prompt_id: PromptId, body: RenderRequest, session: SessionDep
) -> RenderResponse:
    prompt = get_prompt(session, prompt_id)
    return RenderResponse(text=fill(prompt.template, body.variables))
