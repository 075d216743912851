"""Exercise 3 (stretch): which models the library uses.

`GET /models` answers a list with one entry per model that at least one
prompt uses, sorted by model name, each with the number of prompts that use
it: `[{"model": "gpt-4o-mini", "prompts": 2}, {"model": "llama3", "prompts": 1}]`.
"""

import secrets
from typing import Any

import httpx


def create(api: httpx.Client, model: str) -> int:
    body = {"name": f"prompt-{secrets.token_hex(6)}", "template": "Hi", "model": model}
    response = api.post("/prompts", json=body)
    assert response.status_code == 201, f"POST /prompts answered {response.text}"
    return int(response.json()["id"])


def models(api: httpx.Client) -> list[dict[str, Any]]:
    response = api.get("/models")
    assert response.status_code == 200, (
        f"GET /models answered {response.status_code}: {response.text}"
    )
    return list(response.json())


def counts(api: httpx.Client, tag: str) -> dict[str, int]:
    """The entries of GET /models for the models named with this tag."""
    return {m["model"]: m["prompts"] for m in models(api) if tag in m["model"]}


def test_each_model_comes_with_the_number_of_its_prompts(api: httpx.Client) -> None:
    tag = secrets.token_hex(4)
    for model in (f"gpt-4o-{tag}", f"llama3-{tag}", f"gpt-4o-{tag}"):
        create(api, model)
    found = counts(api, tag)
    expected = {f"gpt-4o-{tag}": 2, f"llama3-{tag}": 1}
    assert found == expected, f"GET /models listed {found} for these models"


def test_models_are_listed_once_each_in_order_of_name(api: httpx.Client) -> None:
    tag = secrets.token_hex(4)
    for model in (f"b-{tag}", f"a-{tag}", f"b-{tag}"):
        create(api, model)
    names = [m["model"] for m in models(api)]
    assert names == sorted(set(names)), f"GET /models listed the models {names}"


def test_a_model_no_prompt_uses_any_more_is_not_listed(api: httpx.Client) -> None:
    model = f"retired-{secrets.token_hex(4)}"
    prompt_id = create(api, model)
    assert counts(api, model) == {model: 1}
    deleted = api.delete(f"/prompts/{prompt_id}")
    assert deleted.status_code == 204, deleted.text
    assert counts(api, model) == {}, f"GET /models still lists {model}"
