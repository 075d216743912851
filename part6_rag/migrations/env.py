"""How Alembic reaches the database: the app's own settings and engine."""

from alembic import context
from sqlmodel import SQLModel

from part6_rag import models  # noqa: F401 (defining the models registers their tables)
from part6_rag.database import make_engine
from part6_rag.settings import Settings

# What `alembic revision --autogenerate` and the tests compare the database to.
target_metadata = SQLModel.metadata


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
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(Settings())
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, target_metadata=target_metadata)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
