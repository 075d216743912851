"""Part 4's twin on an async driver: the question "should Part 4 be async?".

The same table, models, settings and pool limits as Part 4, imported from it;
the same queries. What differs is only the road to MySQL: aiomysql under
SQLAlchemy's async engine, and `async def` endpoints that await each query
instead of plain `def` endpoints that run on the thread pool. Only the two
endpoints the benchmark calls are here.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Path, status
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from part4_mysql.database import (
    CONNECT_TIMEOUT_S,
    LOCK_WAIT_TIMEOUT_S,
    MAX_OVERFLOW,
    POOL_SIZE,
    POOL_TIMEOUT_S,
)
from part4_mysql.models import Prompt, PromptCreate, PromptPublic, name_key
from part4_mysql.settings import Settings

# --8<-- [start:engine]
engine = create_async_engine(
    Settings().database_url().set(drivername="mysql+aiomysql"),
    pool_size=POOL_SIZE,
    max_overflow=MAX_OVERFLOW,
    pool_timeout=POOL_TIMEOUT_S,
    pool_pre_ping=True,
    connect_args={
        "charset": "utf8mb4",
        "sql_mode": "TRADITIONAL",
        "init_command": f"SET SESSION innodb_lock_wait_timeout = {LOCK_WAIT_TIMEOUT_S}",
        "connect_timeout": CONNECT_TIMEOUT_S,
    },
)
sessions = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def get_session() -> AsyncIterator[AsyncSession]:
    async with sessions() as session:
        yield session
    # --8<-- [end:engine]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all)
    yield
    await engine.dispose()


app = FastAPI(title="Benchmark: Part 4 on an async driver", lifespan=lifespan)
SessionDep = Annotated[AsyncSession, Depends(get_session)]
PromptId = Annotated[int, Path(ge=1, le=2**63 - 1)]


# --8<-- [start:create_prompt]
@app.post("/prompts", status_code=status.HTTP_201_CREATED)
async def create_prompt(data: PromptCreate, session: SessionDep) -> PromptPublic:
    prompt = Prompt.model_validate(data, update={"name_key": name_key(data.name)})
    session.add(prompt)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, "Name taken") from None
    await session.refresh(prompt)
    return PromptPublic.model_validate(prompt)
    # --8<-- [end:create_prompt]


@app.get("/prompts/{prompt_id}")
async def read_prompt(prompt_id: PromptId, session: SessionDep) -> PromptPublic:
    prompt = await session.get(Prompt, prompt_id)
    if prompt is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Prompt not found")
    return PromptPublic.model_validate(prompt)
