"""Exercise 2 (medium): a description, also for the prompts already stored.

Prompts get an optional `description`, text of at most 500 characters, `""`
when left out, which POST and PATCH can set. An app started on a `prompts.db`
written before the change keeps working: the prompts already in it are listed
with the description `""` and can be given one. The table itself gives `""`
to a row written past the API, as the chapter's own tests write some.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.exercises.checks import answered, create_prompt, post_prompt
from tests.exercises.harness import served_part
from tests.serving import ROOT

# The table as the unchanged part creates it: the chapter shows this file, and
# tests/part3_sqlite checks it against what SQLite stores.
ORIGINAL_TABLE = (ROOT / "docs/examples/part3_sqlite/prompt-table.sql").read_text()
OLD_PROMPTS = [
    {
        "name": "summary",
        "template": "Summarise: {text}",
        "model": "gpt-4o-mini",
        "temperature": 0.2,
    },
    {
        "name": "Translate",
        "template": "To French: {text}",
        "model": "llama3",
        "temperature": 0.7,
    },
]


def answered_on_old_database(response: httpx.Response) -> str:
    return (
        f"{answered(response)} on a prompts.db written before the new field "
        "(create_all does not add a column to a table that exists)"
    )


def read(api: httpx.Client, prompt_id: int) -> dict[str, Any]:
    response = api.get(f"/prompts/{prompt_id}")
    assert response.status_code == 200, answered(response)
    return dict(response.json())


# --- On a new database: the field itself -----------------------------------------


def test_a_description_is_stored_and_read_back(api: httpx.Client) -> None:
    text = "Summaries for the weekly report; keep it short."
    created = create_prompt(api, description=text)
    assert created.get("description") == text, f"POST /prompts answered {created}"
    assert read(api, created["id"]).get("description") == text


def test_a_prompt_created_without_one_has_an_empty_description(
    api: httpx.Client,
) -> None:
    created = create_prompt(api)
    assert created.get("description") == "", f"created without one: {created}"


def test_patch_changes_the_description(api: httpx.Client) -> None:
    prompt_id = create_prompt(api)["id"]
    response = api.patch(f"/prompts/{prompt_id}", json={"description": "changed"})
    assert response.status_code == 200, answered(response)
    assert read(api, prompt_id).get("description") == "changed"


def test_500_characters_are_accepted_and_501_refused(api: httpx.Client) -> None:
    created = create_prompt(api, description="d" * 500)
    assert created.get("description") == "d" * 500
    too_long = post_prompt(api, description="d" * 501)
    assert too_long.status_code == 422, answered(too_long)


def test_a_row_written_past_the_api_gets_an_empty_description(
    roots: dict[str, Path], tmp_path: Path
) -> None:
    database = tmp_path / "new.db"
    env = {"DATABASE_URL": f"sqlite:///{database}"}
    with served_part("part3_sqlite", roots["part3_sqlite"], tmp_path, env) as server:
        with closing(sqlite3.connect(database)) as connection, connection:
            try:
                connection.execute(
                    "INSERT INTO prompt (name, template, model, temperature, name_key)"
                    " VALUES ('by hand', 'x', 'm', 0.5, 'by hand')"
                )
            except sqlite3.IntegrityError as error:
                pytest.fail(
                    f"a row inserted without a description is refused ({error}): "
                    "give the column a default in the table too (server_default)"
                )
        listed = httpx.get(f"{server.base_url}/prompts").json()
    assert listed[0].get("description") == "", f"the row came back as {listed[0]}"


# --- On a database written before the change ---------------------------------------


def write_old_database(path: Path) -> None:
    """A prompts.db as the unchanged part leaves it: the old table, two rows."""
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute(ORIGINAL_TABLE)
        for prompt in OLD_PROMPTS:
            connection.execute(
                "INSERT INTO prompt (name, template, model, temperature, name_key)"
                " VALUES (:name, :template, :model, :temperature, :name_key)",
                {**prompt, "name_key": str(prompt["name"]).casefold()},
            )


@pytest.fixture(scope="module")
def old_database(
    roots: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[httpx.Client]:
    """Your part, started on a database file made before the new field."""
    storage = tmp_path_factory.mktemp("old-database")
    database = storage / "old.db"
    write_old_database(database)
    env = {"DATABASE_URL": f"sqlite:///{database}"}
    with (
        served_part("part3_sqlite", roots["part3_sqlite"], storage, env) as server,
        httpx.Client(base_url=server.base_url, timeout=10.0) as client,
    ):
        yield client


def test_the_prompts_already_stored_are_listed_with_an_empty_description(
    old_database: httpx.Client,
) -> None:
    response = old_database.get("/prompts")
    assert response.status_code == 200, answered_on_old_database(response)
    expected = [{**p, "id": i, "description": ""} for i, p in enumerate(OLD_PROMPTS, 1)]
    listed = response.json()[:2]
    assert listed == expected, f"the two prompts already stored came back as {listed}"


def test_a_prompt_already_stored_can_be_given_a_description(
    old_database: httpx.Client,
) -> None:
    response = old_database.patch("/prompts/2", json={"description": "For the docs"})
    assert response.status_code == 200, answered_on_old_database(response)
    assert read(old_database, 2).get("description") == "For the docs"


def test_a_new_prompt_on_the_old_database_keeps_its_description(
    old_database: httpx.Client,
) -> None:
    response = old_database.post(
        "/prompts",
        json={"name": "added later", "template": "x", "description": "Added later"},
    )
    assert response.status_code == 201, answered_on_old_database(response)
    prompt_id = response.json()["id"]
    assert read(old_database, prompt_id).get("description") == "Added later"
