"""The app started before its database: it waits for MySQL, not the reverse.

These tests run the app's own lifespan and session dependency, pointed at a
brand-new database behind a proxy that refuses every connection at first.
"""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from part4_mysql.database import database, make_engine
from part4_mysql.main import app as part4_app
from part4_mysql.settings import Settings
from tests.part4_mysql.databases import throwaway_database
from tests.part4_mysql.tcp_proxy import TcpProxy


@pytest.fixture
def mysql_not_up_yet(
    server_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TcpProxy]:
    """The app's own database, new and empty, behind a proxy that is cut."""
    with (
        throwaway_database(server_settings) as fresh,
        TcpProxy(fresh.host, fresh.port) as proxy,
    ):
        proxy.cut()
        late = fresh.model_copy(update={"host": "127.0.0.1", "port": proxy.port})
        engine = make_engine(late)
        monkeypatch.setattr(database, "engine", engine)
        monkeypatch.setattr(database, "tables_ready", False)
        try:
            yield proxy
        finally:
            engine.dispose()


def test_app_started_without_the_database_answers_503(
    mysql_not_up_yet: TcpProxy,
) -> None:
    with TestClient(part4_app) as client:
        assert client.get("/health").status_code == 503
        body = {"name": "early", "template": "t"}
        assert client.post("/prompts", json=body).status_code == 503


def test_app_creates_its_table_when_the_database_arrives(
    mysql_not_up_yet: TcpProxy,
) -> None:
    with TestClient(part4_app) as client:
        mysql_not_up_yet.restore()
        assert client.get("/health").status_code == 200
        body = {"name": "late", "template": "t"}
        assert client.post("/prompts", json=body).status_code == 201
