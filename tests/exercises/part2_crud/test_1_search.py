"""Exercise 1 (easy): search prompts by name.

`GET /prompts?q=sum` lists only the prompts whose name contains `sum`, in any
case; `offset` and `limit` then page through those matches alone. Without
`q`, the list is what it was.
"""

import secrets

import httpx


def create(api: httpx.Client, name: str) -> None:
    response = api.post("/prompts", json={"name": name, "template": "Hi {x}"})
    assert response.status_code == 201, f"POST /prompts answered {response.text}"


def names_found(api: httpx.Client, **params: str | int) -> list[str]:
    response = api.get("/prompts", params=params)
    assert response.status_code == 200, (
        f"GET /prompts with {params} answered {response.status_code}: {response.text}"
    )
    return [prompt["name"] for prompt in response.json()]


def test_q_keeps_only_the_names_that_contain_it(api: httpx.Client) -> None:
    tag = secrets.token_hex(4)
    for name in [f"summarize-{tag}", f"translate-{tag}", f"re-summarize-{tag}"]:
        create(api, name)
    found = names_found(api, q=f"summarize-{tag}", limit=100)
    assert found == [f"summarize-{tag}", f"re-summarize-{tag}"], (
        f"?q=summarize-{tag} should list the two names that contain it, "
        f"oldest first; it listed {found}"
    )


def test_q_ignores_case(api: httpx.Client) -> None:
    tag = secrets.token_hex(4)
    create(api, f"Summarize-{tag}")
    query = f"summarize-{tag}".upper()
    found = names_found(api, q=query)
    assert found == [f"Summarize-{tag}"], f"?q={query} listed {found}"


def test_q_that_matches_no_name_gives_an_empty_list(api: httpx.Client) -> None:
    tag = secrets.token_hex(4)
    create(api, f"summarize-{tag}")
    found = names_found(api, q=f"no-such-prompt-{tag}")
    assert found == [], (
        f"?q=no-such-prompt-{tag} should list nothing; it listed {found}"
    )


def test_offset_and_limit_page_through_the_matches_only(api: httpx.Client) -> None:
    tag = secrets.token_hex(4)
    for name in [f"a-{tag}", "other-" + secrets.token_hex(4), f"b-{tag}", f"c-{tag}"]:
        create(api, name)
    found = names_found(api, q=tag, offset=1, limit=1)
    assert found == [f"b-{tag}"], (
        f"?q={tag}&offset=1&limit=1 should skip the first match and list the "
        f"second, b-{tag}; it listed {found} (filter first, then take the page)"
    )
