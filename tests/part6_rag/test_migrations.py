"""From Part 6 on, Alembic changes the schema: Part 5's database upgrades in place.

The first revision is Part 5's schema exactly, the second adds documents and
the runs' sources; the models and the migrations agree; downgrade returns
to Part 5's schema.
"""

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pymysql
import pytest

from tests.mysql_server import Login
from tests.part6_rag.conftest import alembic, provider_environment
from tests.serving import ServerProcess, running_server

pytestmark = pytest.mark.timeout(180)
PART5_TABLES = ("prompt", "run")


def connect(environment: dict[str, str]) -> pymysql.Connection:
    login = Login(
        environment["MYSQL_HOST"],
        int(environment["MYSQL_PORT"]),
        environment["MYSQL_USER"],
        environment["MYSQL_PASSWORD"],
    )
    return login.connect(environment["MYSQL_DATABASE"])


def schema(environment: dict[str, str]) -> dict[str, str]:
    """Each table's CREATE TABLE, as the server prints it (counters aside)."""
    with connect(environment) as connection, connection.cursor() as cursor:
        cursor.execute("SHOW TABLES")
        tables = sorted(row[0] for row in cursor.fetchall())
        created = {}
        for table in tables:
            cursor.execute(f"SHOW CREATE TABLE `{table}`")
            text = cursor.fetchone()[1]
            created[table] = re.sub(r" AUTO_INCREMENT=\d+", "", text)
    return created


def rows(environment: dict[str, str], table: str) -> list[dict[str, Any]]:
    with (
        connect(environment) as connection,
        connection.cursor(pymysql.cursors.DictCursor) as cursor,
    ):
        cursor.execute(f"SELECT * FROM `{table}` ORDER BY id")
        return list(cursor.fetchall())


@pytest.fixture
def part5_database(
    fresh_database: dict[str, str], fake: ServerProcess
) -> Iterator[dict[str, str]]:
    """A database that Part 5's own app created and filled, through its API."""
    environment = fresh_database | provider_environment(fake)
    with (
        running_server("uvicorn part5_llm.main:app", environment) as part5,
        httpx.Client(base_url=part5.base_url, timeout=20) as http,
    ):
        for name, template in [
            ("Haiku", "A haiku about {topic}"),
            ("Straße 🌧", "Four-byte 🌧 text and {topic}"),
        ]:
            prompt = http.post("/prompts", json={"name": name, "template": template})
            assert prompt.status_code == 201, prompt.text
            body = {"variables": {"topic": "rain"}, "max_tokens": 3}
            run = http.post(f"/prompts/{prompt.json()['id']}/generate", json=body)
            assert run.status_code == 200, run.text
    yield fresh_database


def test_the_first_revision_is_part5s_schema_exactly(
    part5_database: dict[str, str], fresh_database_2: dict[str, str]
) -> None:
    alembic(fresh_database_2, "upgrade", "0001")
    made_by_alembic = schema(fresh_database_2)
    assert made_by_alembic.pop("alembic_version")
    assert made_by_alembic == schema(part5_database)


def test_a_part5_database_upgrades_with_every_prompt_and_run_intact(
    part5_database: dict[str, str],
) -> None:
    prompts, runs = rows(part5_database, "prompt"), rows(part5_database, "run")
    assert (len(prompts), len(runs)) == (2, 2)
    alembic(part5_database, "upgrade", "head")
    assert rows(part5_database, "prompt") == prompts
    upgraded = rows(part5_database, "run")
    assert [
        {k: v for k, v in run.items() if k != "sources"} for run in upgraded
    ] == runs
    assert all(run["sources"] is None for run in upgraded)
    assert rows(part5_database, "document") == []


def test_downgrade_returns_to_part5s_schema(part5_database: dict[str, str]) -> None:
    before = schema(part5_database)
    prompts = rows(part5_database, "prompt")
    alembic(part5_database, "upgrade", "head")
    alembic(part5_database, "downgrade", "0001")
    after = schema(part5_database)
    assert after.pop("alembic_version")
    assert after == before
    assert rows(part5_database, "prompt") == prompts


def test_the_models_and_the_migrations_agree(mysql_env: dict[str, str]) -> None:
    # Alembic compares the models with the database the migrations made.
    assert "No new upgrade operations detected" in alembic(mysql_env, "check")


def test_alembic_prints_the_sql_of_an_upgrade_without_a_database() -> None:
    printed = alembic({}, "upgrade", "head", "--sql")
    assert "CREATE TABLE document" in printed
    assert "ALTER TABLE run ADD COLUMN sources" in printed
