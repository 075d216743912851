"""Exercise 2 (medium): the number of prompts in an X-Total-Count header.

`GET /prompts` answers, beside the page it lists, a header `X-Total-Count`
holding the number of prompts in the whole library, counted by MySQL: the
same for every `offset` and `limit`, one more after a create, one less after
a delete.
"""

import secrets

import httpx


def create(api: httpx.Client) -> int:
    body = {"name": f"prompt-{secrets.token_hex(6)}", "template": "Hi {x}"}
    response = api.post("/prompts", json=body)
    assert response.status_code == 201, f"POST /prompts answered {response.text}"
    return int(response.json()["id"])


def total_count(api: httpx.Client, **params: int) -> int:
    response = api.get("/prompts", params=params)
    asked = f"GET {response.request.url.raw_path.decode()}"
    assert response.status_code == 200, (
        f"{asked} answered {response.status_code}: {response.text}"
    )
    header = response.headers.get("X-Total-Count")
    assert header is not None, f"{asked} answered without an X-Total-Count header"
    assert header.isdigit(), f"{asked} answered X-Total-Count: {header!r}, not a number"
    return int(header)


def every_prompt(api: httpx.Client) -> int:
    """How many prompts there are, found by reading every page."""
    listed, offset = 0, 0
    while page := api.get("/prompts", params={"offset": offset, "limit": 100}).json():
        listed += len(page)
        offset += 100
    return listed


def test_the_header_counts_every_prompt_not_only_the_page(api: httpx.Client) -> None:
    for _ in range(3):
        create(api)
    expected = every_prompt(api)
    for page in ({}, {"limit": 1}, {"offset": 1, "limit": 2}, {"offset": 10**6}):
        counted = total_count(api, **page)
        assert counted == expected, (
            f"GET /prompts with {page or 'no parameters'} answered X-Total-Count: "
            f"{counted}, but the library holds {expected} prompts"
        )


def test_a_create_adds_one_and_a_delete_takes_one_away(api: httpx.Client) -> None:
    before = total_count(api, limit=1)
    prompt_id = create(api)
    after_create = total_count(api, limit=1)
    assert after_create == before + 1, (
        f"X-Total-Count was {before}, and {after_create} after one create"
    )
    deleted = api.delete(f"/prompts/{prompt_id}")
    assert deleted.status_code == 204, f"DELETE answered {deleted.text}"
    after_delete = total_count(api, limit=1)
    assert after_delete == before, (
        f"X-Total-Count was {after_create}, and {after_delete} after one delete"
    )
