"""How Alembic reaches the database: the app's own settings and engine."""

from typing import Any

from alembic import context
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator, TypeEngine
from sqlmodel import SQLModel

from part6_rag import models  # noqa: F401 (defining the models registers their tables)
from part6_rag.database import make_engine
from part6_rag.settings import Settings

# What `alembic revision --autogenerate` and the tests compare the database to.
target_metadata = SQLModel.metadata

# The most bytes of each MySQL text type; a character of utf8mb4 takes up to 4.
TEXT_TYPES = [("TEXT", 65_535), ("MEDIUMTEXT", 16_777_215), ("LONGTEXT", 2**32 - 1)]


def stored_as(column_type: TypeEngine[Any]) -> str | None:
    """The MySQL type that stores a Text(n): the smallest that holds n characters."""
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    if type(column_type).__name__ in {"TINYTEXT", "MEDIUMTEXT", "LONGTEXT"}:
        return type(column_type).__name__  # as the server reports it
    if not isinstance(column_type, Text):
        return None
    most = 4 * (column_type.length or 0)
    return next(name for name, size in TEXT_TYPES if most <= size)


def compare_type(
    context: Any,
    inspected_column: Any,
    metadata_column: Any,
    inspected_type: TypeEngine[Any],
    metadata_type: TypeEngine[Any],
) -> bool | None:
    """Text(4_000_000) and MEDIUMTEXT are one column; otherwise Alembic decides."""
    stored, declared = stored_as(inspected_type), stored_as(metadata_type)
    if stored is None or declared is None:
        return None
    return stored != declared


def run_migrations_offline() -> None:
    """`alembic upgrade head --sql`: print the SQL instead of running it."""
    context.configure(
        url=Settings().database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # A caller (the tests) may hand over a connection of its own.
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            compare_type=compare_type,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(Settings())
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                compare_type=compare_type,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
