"""Part 5's prompts, as Part 6 keeps them: rendering, and a row another holds."""

import httpx
import pymysql

from tests.part6_rag.helpers import prompt


def test_render_fills_the_placeholders_and_unescapes_doubled_braces(
    http: httpx.Client,
) -> None:
    prompt_id = prompt(http, template="{{literal}} and {x}")
    answer = http.post(f"/prompts/{prompt_id}/render", json={"variables": {"x": "1"}})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"text": "{literal} and 1"}


def test_a_prompt_whose_row_another_transaction_holds_is_a_409(
    http: httpx.Client, admin: pymysql.Connection
) -> None:
    prompt_id = prompt(http)
    admin.begin()
    try:
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM prompt WHERE id = %s FOR UPDATE", (prompt_id,)
            )
        answer = http.patch(f"/prompts/{prompt_id}", json={"temperature": 0.5})
    finally:
        admin.rollback()
    assert answer.status_code == 409
    assert "concurrent change" in answer.json()["detail"]
