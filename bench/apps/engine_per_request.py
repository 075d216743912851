"""A mistake, measured: the tutorial-style app with an engine per request.

Everything is as in `tutorial_style.py` except the session dependency, which
builds a new engine, and so a new connection pool, for every request. It even
disposes of it tidily afterwards; the cost is the connection opened each time.
"""

from collections.abc import Iterator

from sqlmodel import Session, create_engine

from .tutorial_style import app, connect_args, database_url, get_session


# --8<-- [start:mistake]
def get_session_from_a_new_engine() -> Iterator[Session]:
    engine = create_engine(database_url, connect_args=connect_args)  # (1)!
    with Session(engine) as session:
        yield session
    engine.dispose()
    # --8<-- [end:mistake]


app.dependency_overrides[get_session] = get_session_from_a_new_engine
