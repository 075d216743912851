"""Exercise 1 (easy): search prompts by name.

`GET /prompts?q=sum` lists only the prompts whose name contains `sum`, in any
case; without `q`, the list is what it was.
"""

import secrets

import httpx


def create(api: httpx.Client, name: str) -> dict[str, object]:
    response = api.post("/prompts", json={"name": name, "template": "Hi {x}"})
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_q_keeps_only_names_that_contain_it(api: httpx.Client) -> None:
    tag = secrets.token_hex(4)
    wanted = create(api, f"summarize-{tag}")
    create(api, f"translate-{tag}")
    found = api.get("/prompts", params={"q": f"summarize-{tag}"})
    assert found.status_code == 200, found.text
    assert [p["id"] for p in found.json()] == [wanted["id"]]


def test_q_ignores_case(api: httpx.Client) -> None:
    tag = secrets.token_hex(4)
    wanted = create(api, f"Summarize-{tag}")
    found = api.get("/prompts", params={"q": f"SUMMARIZE-{tag}".upper()})
    assert [p["id"] for p in found.json()] == [wanted["id"]]
