"""Part 4's twin on an async driver: Part 4's table, models and pool limits,
the same queries, through aiomysql and `async def` endpoints that await them."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from part4_mysql import database as part4
from part4_mysql.models import Prompt, PromptCreate, PromptPublic, name_key
from part4_mysql.settings import Settings

engine = create_async_engine(
    Settings().database_url().set(drivername="mysql+aiomysql"),
    pool_size=part4.POOL_SIZE,
    max_overflow=part4.MAX_OVERFLOW,
    pool_timeout=part4.POOL_TIMEOUT_S,
    pool_pre_ping=True,
    connect_args={"charset": "utf8mb4", "connect_timeout": part4.CONNECT_TIMEOUT_S},
)
sessions = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def get_session() -> AsyncIterator[AsyncSession]:
    async with sessions() as session:
        yield session


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all)
    yield
    await engine.dispose()


app = FastAPI(title="Benchmark: Part 4 on an async driver", lifespan=lifespan)
SessionDep = Annotated[AsyncSession, Depends(get_session)]


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


@app.get("/prompts/{prompt_id}")
async def read_prompt(prompt_id: int, session: SessionDep) -> PromptPublic:
    prompt = await session.get(Prompt, prompt_id)
    if prompt is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Prompt not found")
    return PromptPublic.model_validate(prompt)
