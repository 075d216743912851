"""The table as MySQL itself reports it, not as the models describe it."""

from typing import Any

import pytest
from sqlalchemy import text

from part4_mysql.database import Database


def column(database: Database, name: str) -> dict[str, Any]:
    query = text(
        "SELECT * FROM information_schema.COLUMNS"
        " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'prompt'"
        " AND COLUMN_NAME = :name"
    )
    with database.engine.connect() as connection:
        row = connection.execute(query, {"name": name}).mappings().one()
    return dict(row)


def test_table_is_innodb_in_utf8mb4(database: Database) -> None:
    query = text(
        "SELECT ENGINE, TABLE_COLLATION FROM information_schema.TABLES"
        " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'prompt'"
    )
    with database.engine.connect() as connection:
        engine, collation = connection.execute(query).one()
    assert engine == "InnoDB"
    # Even though this test database defaults to latin1.
    assert collation.startswith("utf8mb4_")


@pytest.mark.parametrize("name", ["name", "name_key", "template", "model"])
def test_text_columns_store_utf8mb4(database: Database, name: str) -> None:
    assert column(database, name)["CHARACTER_SET_NAME"] == "utf8mb4"


@pytest.mark.parametrize(
    ("name", "column_type"),
    [("name", "varchar(100)"), ("model", "varchar(100)"), ("name_key", "varchar(300)")],
)
def test_varchar_lengths_are_explicit(
    database: Database, name: str, column_type: str
) -> None:
    assert column(database, name)["COLUMN_TYPE"] == column_type


def test_template_column_holds_ten_thousand_four_byte_characters(
    database: Database,
) -> None:
    template = column(database, "template")
    assert template["DATA_TYPE"] in {"text", "mediumtext", "longtext"}
    assert template["CHARACTER_OCTET_LENGTH"] >= 10_000 * 4


def test_temperature_is_an_eight_byte_double(database: Database) -> None:
    assert column(database, "temperature")["DATA_TYPE"] == "double"


def test_id_is_a_bigint_that_counts_up_by_itself(database: Database) -> None:
    id_column = column(database, "id")
    assert id_column["DATA_TYPE"] == "bigint"
    assert "auto_increment" in id_column["EXTRA"]


def test_name_key_is_unique_and_compared_byte_for_byte(database: Database) -> None:
    query = text(
        "SELECT NON_UNIQUE FROM information_schema.STATISTICS"
        " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'prompt'"
        " AND COLUMN_NAME = 'name_key'"
    )
    with database.engine.connect() as connection:
        assert connection.execute(query).scalar_one() == 0  # a unique index
    assert column(database, "name_key")["COLLATION_NAME"] == "utf8mb4_bin"


def test_a_second_worker_creating_the_tables_again_keeps_every_prompt(
    empty_database: Database,
) -> None:
    with empty_database.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO prompt (name, name_key, template, model, temperature)"
                " VALUES ('kept', 'kept', 't', 'm', 0.5)"
            )
        )
    # A worker that starts later does not know the tables exist: it creates them.
    Database(empty_database.engine).create_tables()
    with empty_database.engine.connect() as connection:
        names = connection.execute(text("SELECT name FROM prompt")).scalars().all()
    assert names == ["kept"]
