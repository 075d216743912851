"""Exercise 3 (stretch): which models the library uses.

`GET /models` answers a list with one entry per model that at least one
prompt uses, sorted by model name, each with the number of prompts that use
it: `[{"model": "gpt-4o-mini", "prompts": 2}, {"model": "llama3", "prompts": 1}]`.
"""

import secrets

import httpx

from tests.exercises.checks import answered, create_prompt


def counts(api: httpx.Client, tag: str = "") -> dict[str, int]:
    """GET /models, as model: prompts, for the models named with `tag`."""
    response = api.get("/models")
    assert response.status_code == 200, answered(response)
    return {m["model"]: m["prompts"] for m in response.json() if tag in m["model"]}


def test_each_model_comes_once_in_name_order_with_its_count(api: httpx.Client) -> None:
    tag = secrets.token_hex(4)
    for model in (f"llama3-{tag}", f"gpt-4o-{tag}", f"llama3-{tag}"):
        create_prompt(api, model=model)
    found = counts(api, tag)
    assert found == {f"gpt-4o-{tag}": 1, f"llama3-{tag}": 2}, f"/models: {found}"
    names = [entry["model"] for entry in api.get("/models").json()]
    assert names == sorted(set(names)), f"GET /models listed the models {names}"


def test_a_model_no_prompt_uses_any_more_is_not_listed(api: httpx.Client) -> None:
    model = f"retired-{secrets.token_hex(4)}"
    prompt_id = create_prompt(api, model=model)["id"]
    assert counts(api, model) == {model: 1}
    assert api.delete(f"/prompts/{prompt_id}").status_code == 204
    assert counts(api, model) == {}, f"GET /models still lists {model}"
