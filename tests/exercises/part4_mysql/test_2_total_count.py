"""Exercise 2 (medium): the number of prompts in an X-Total-Count header.

`GET /prompts` answers, beside the page it lists, a header `X-Total-Count`
holding the number of prompts in the whole library, counted by MySQL: the
same for every `offset` and `limit`, one more after a create, one less after
a delete.
"""

import httpx

from tests.exercises.checks import answered, create_prompt


def total_count(api: httpx.Client, **params: int) -> int:
    response = api.get("/prompts", params=params)
    assert response.status_code == 200, answered(response)
    header = response.headers.get("X-Total-Count", "")
    assert header.isdigit(), f"{answered(response)}, with X-Total-Count: {header!r}"
    return int(header)


def test_the_header_counts_every_prompt_not_only_the_page(api: httpx.Client) -> None:
    for _ in range(3):
        create_prompt(api)
    listed, offset = 0, 0  # the prompts on every page
    while page := api.get("/prompts", params={"offset": offset, "limit": 100}).json():
        listed, offset = listed + len(page), offset + 100
    for page in ({}, {"limit": 1}, {"offset": 1, "limit": 2}, {"offset": 10**6}):
        counted = total_count(api, **page)
        assert counted == listed, (
            f"GET /prompts with {page or 'no parameters'} answered X-Total-Count: "
            f"{counted}, but the library holds {listed} prompts"
        )


def test_a_create_adds_one_and_a_delete_takes_one_away(api: httpx.Client) -> None:
    before = total_count(api, limit=1)
    prompt_id = create_prompt(api)["id"]
    assert total_count(api, limit=1) == before + 1, "a create did not add one"
    assert api.delete(f"/prompts/{prompt_id}").status_code == 204
    assert total_count(api, limit=1) == before, "a delete did not take one away"
