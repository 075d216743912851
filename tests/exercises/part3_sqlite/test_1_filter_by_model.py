"""Exercise 1 (easy): list the prompts of one model.

`GET /prompts?model=gpt-4o` lists only the prompts whose model is exactly
`gpt-4o` (not `gpt-4o-mini`), in id order, and `offset` and `limit` page
through that shorter list. Without `model`, the list is what it was.
"""

import secrets

import httpx

from tests.exercises.checks import create_prompt, listed


def test_model_keeps_only_the_prompts_of_exactly_that_model(api: httpx.Client) -> None:
    model = f"gpt-4o-{secrets.token_hex(4)}"
    wanted = [create_prompt(api, model=model)["id"] for _ in range(2)]
    create_prompt(api, model=f"{model}-mini")  # starts the same: not a match
    found = listed(api, model=model)
    assert found == wanted, f"?model={model} listed ids {found}, expected {wanted}"


def test_offset_and_limit_count_only_the_prompts_of_that_model(
    api: httpx.Client,
) -> None:
    model = f"llama-{secrets.token_hex(4)}"
    wanted = []
    for _ in range(3):  # each prompt of this model between two of another
        create_prompt(api, model="another-model")
        wanted.append(create_prompt(api, model=model)["id"])
    pages = listed(api, model=model, limit=2), listed(api, model=model, offset=2)
    assert pages == (wanted[:2], wanted[2:]), (
        f"pages of model {model} were {pages}, expected {wanted[:2]} and "
        f"{wanted[2:]}: filter in the query, before offset and limit"
    )


def test_a_model_no_prompt_uses_gives_an_empty_list(api: httpx.Client) -> None:
    create_prompt(api)  # so that the library is not empty
    found = listed(api, model=f"unused-{secrets.token_hex(4)}")
    assert found == [], f"a model no prompt uses listed ids {found}"
