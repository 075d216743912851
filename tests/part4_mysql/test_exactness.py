"""Every value reads back exactly as it was written, on MySQL too."""

import math
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.part4_mysql.databases import (
    Restartable,
    client_on_new_database,
)


def create(client: TestClient, **fields: object) -> dict[str, Any]:
    response = client.post("/prompts", json={"template": "t", **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_ten_thousand_emoji_round_trip(client: TestClient) -> None:
    template = "🦜" * 10_000  # 40,000 bytes in utf8mb4
    prompt_id = create(client, name="parrots", template=template)["id"]
    assert client.get(f"/prompts/{prompt_id}").json()["template"] == template


def test_four_byte_characters_round_trip_in_every_text_field(
    client: TestClient,
) -> None:
    sent = {"name": "𠜎𠜱 🎉", "template": "🐍 {x} 𝄞", "model": "模型-🤖"}
    prompt_id = create(client, **sent)["id"]
    read = client.get(f"/prompts/{prompt_id}").json()
    assert {field: read[field] for field in sent} == sent


@pytest.mark.parametrize(
    "temperature",
    [
        0.1 + 0.2,  # 0.30000000000000004
        math.nextafter(2.0, 0.0),  # the largest double below 2
        math.nextafter(0.7, 1.0),
        2.2250738585072014e-308,  # the smallest normal double
        5e-324,  # the smallest double of all
    ],
)
def test_temperatures_round_trip_to_the_last_bit(
    client: TestClient, temperature: float
) -> None:
    prompt_id = create(client, name="exact", temperature=temperature)["id"]
    read = client.get(f"/prompts/{prompt_id}").json()["temperature"]
    assert read.hex() == temperature.hex()


@pytest.mark.parametrize(
    ("first", "second"),
    [("é", "e"), ("😀", "😁"), ("Résumé", "Resume"), ("a b", "ab")],
)
def test_names_that_differ_beyond_case_are_distinct(
    client: TestClient, first: str, second: str
) -> None:
    create(client, name=first)
    create(client, name=second)


@pytest.mark.parametrize(
    ("first", "second"), [("Straße", "STRASSE"), ("Summary", "sUMMARY"), ("ΣΑΣ", "σας")]
)
def test_names_equal_after_casefold_clash(
    client: TestClient, first: str, second: str
) -> None:
    create(client, name=first)
    response = client.post("/prompts", json={"name": second, "template": "t"})
    assert response.status_code == 409


def test_ids_are_never_reused_even_across_a_restart(restartable: Restartable) -> None:
    with client_on_new_database(restartable.settings) as (_, client):
        create(client, name="first")
        newest = create(client, name="second")["id"]
        assert client.delete(f"/prompts/{newest}").status_code == 204
        # A real restart of the server: InnoDB keeps the AUTO_INCREMENT
        # counter on disk, so the deleted id stays used.
        restartable.server.restart()
        assert create(client, name="third")["id"] == newest + 1
