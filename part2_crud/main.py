"""Part 2: the prompt library as a CRUD API, stored in memory."""

from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Path, Query, status

from .errors import (
    BAD_BODY,
    NAME_TAKEN,
    NOT_FOUND,
    name_taken,
    not_found,
    register_error_handlers,
)
from .models import (
    LARGEST_ID,
    PromptCreate,
    PromptPublic,
    PromptUpdate,
    RenderRequest,
    RenderResponse,
)
from .rendering import placeholders, render
from .store import NameTakenError, PromptStore, get_store

app = FastAPI(
    title="FastAPI for AI Engineers: Part 2, Prompt Library (in memory)",
    version="2.0.0",
    description=(
        "Part 2 of the tutorial series: a CRUD API for reusable LLM prompt "
        "templates, kept in process memory (everything is lost on restart)."
    ),
)
register_error_handlers(app)  # errors.py: every failure answered in JSON
# Dependency aliases: each endpoint says what it needs in one short name.
Store = Annotated[PromptStore, Depends(get_store)]
PromptId = Annotated[int, Path(ge=1, le=LARGEST_ID)]


@app.post(
    "/prompts",
    status_code=status.HTTP_201_CREATED,
    responses=NAME_TAKEN | BAD_BODY,
    tags=["prompts"],
)
def create_prompt(prompt: PromptCreate, store: Store) -> PromptPublic:
    try:
        return store.create(prompt)
    except NameTakenError:
        raise name_taken(prompt.name) from None


@app.get("/prompts", tags=["prompts"])
def list_prompts(
    store: Store,
    offset: Annotated[int, Query(ge=0, le=LARGEST_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[PromptPublic]:
    return store.list(offset, limit)


@app.get("/prompts/{prompt_id}", responses=NOT_FOUND, tags=["prompts"])
def read_prompt(prompt_id: PromptId, store: Store) -> PromptPublic:
    prompt = store.get(prompt_id)
    if prompt is None:
        raise not_found(prompt_id)
    return prompt


@app.patch(
    "/prompts/{prompt_id}",
    responses=NOT_FOUND | NAME_TAKEN | BAD_BODY,
    tags=["prompts"],
)
def update_prompt(
    prompt_id: PromptId, changes: PromptUpdate, store: Store
) -> PromptPublic:
    try:
        prompt = store.update(prompt_id, changes)
    except NameTakenError as taken:
        raise name_taken(str(taken)) from None
    if prompt is None:
        raise not_found(prompt_id)
    return prompt


@app.delete(
    "/prompts/{prompt_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=NOT_FOUND,
    tags=["prompts"],
)
def delete_prompt(prompt_id: PromptId, store: Store) -> None:
    if not store.delete(prompt_id):
        raise not_found(prompt_id)


@app.post(
    "/prompts/{prompt_id}/render",
    responses=NOT_FOUND | BAD_BODY,
    tags=["prompts"],
)
def render_prompt(
    prompt_id: PromptId, body: RenderRequest, store: Store
) -> RenderResponse:
    prompt = store.get(prompt_id)
    if prompt is None:
        raise not_found(prompt_id)
    missing = [n for n in placeholders(prompt.template) if n not in body.variables]
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
    return RenderResponse(text=render(prompt.template, body.variables))
