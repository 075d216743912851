"""Exercise 1 (easy): list the prompts of one model.

`GET /prompts?model=gpt-4o` lists only the prompts whose model is exactly
`gpt-4o` (not `gpt-4o-mini`), in id order, and `offset` and `limit` page
through that shorter list. Without `model`, the list is what it was.
"""

import secrets

import httpx


def create(api: httpx.Client, model: str) -> int:
    body = {"name": f"prompt-{secrets.token_hex(6)}", "template": "Hi", "model": model}
    response = api.post("/prompts", json=body)
    assert response.status_code == 201, f"POST /prompts answered {response.text}"
    return int(response.json()["id"])


def ids_listed(api: httpx.Client, **params: str | int) -> list[int]:
    response = api.get("/prompts", params=params)
    assert response.status_code == 200, (
        f"GET /prompts?{response.request.url.query.decode()} answered "
        f"{response.status_code}: {response.text}"
    )
    return [prompt["id"] for prompt in response.json()]


def test_model_keeps_only_the_prompts_of_that_model(api: httpx.Client) -> None:
    model = f"gpt-4o-{secrets.token_hex(4)}"
    wanted = [create(api, model), create(api, model)]
    create(api, f"{model}-mini")  # a longer name that starts the same: not a match
    listed = ids_listed(api, model=model)
    assert listed == wanted, (
        f"GET /prompts?model={model} listed ids {listed}, expected {wanted}"
    )


def test_offset_and_limit_count_only_the_prompts_of_that_model(
    api: httpx.Client,
) -> None:
    model = f"llama-{secrets.token_hex(4)}"
    wanted = []
    for _ in range(3):  # each prompt of this model between two of another
        create(api, "another-model")
        wanted.append(create(api, model))
    first_page = ids_listed(api, model=model, limit=2)
    second_page = ids_listed(api, model=model, offset=2, limit=2)
    assert (first_page, second_page) == (wanted[:2], wanted[2:]), (
        f"pages of 2 of model {model} were {first_page} and {second_page}, expected "
        f"{wanted[:2]} and {wanted[2:]}: filter in the query, before offset and limit"
    )


def test_a_model_no_prompt_uses_gives_an_empty_list(api: httpx.Client) -> None:
    create(api, "gpt-4o-mini")  # so that the library is not empty
    model = f"unused-{secrets.token_hex(4)}"
    listed = ids_listed(api, model=model)
    assert listed == [], f"GET /prompts?model={model} listed ids {listed}, expected []"
