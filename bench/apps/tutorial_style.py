"""The yardstick: a prompt API as FastAPI's SQL tutorial teaches it: `def`
endpoints, one session per request, on the database `BENCH_DATABASE_URL` names."""

import os
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from sqlmodel import Field, Session, SQLModel, create_engine


class PromptBase(SQLModel):
    name: str = Field(max_length=100, unique=True)
    template: str = Field(max_length=10_000)
    model: str = Field(default="gpt-4o-mini", max_length=100)
    temperature: float = Field(default=0.7, ge=0.0, le=2.0)


class Prompt(PromptBase, table=True):
    id: int | None = Field(default=None, primary_key=True)


class PromptPublic(PromptBase):
    id: int


url = os.environ["BENCH_DATABASE_URL"]
engine = create_engine(
    url, connect_args={"check_same_thread": False} if "sqlite" in url else {}
)
SQLModel.metadata.create_all(engine)


def get_session() -> Iterator[Session]:
    with Session(engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
app = FastAPI(title="Benchmark: the SQL tutorial's style")


@app.post("/prompts", status_code=201, response_model=PromptPublic)
def create_prompt(prompt: PromptBase, session: SessionDep) -> Prompt:
    db_prompt = Prompt.model_validate(prompt)
    session.add(db_prompt)
    session.commit()
    session.refresh(db_prompt)
    return db_prompt


@app.get("/prompts/{prompt_id}", response_model=PromptPublic)
def read_prompt(prompt_id: int, session: SessionDep) -> Prompt:
    prompt = session.get(Prompt, prompt_id)
    if prompt is None:
        raise HTTPException(status_code=404, detail="Prompt not found")
    return prompt
