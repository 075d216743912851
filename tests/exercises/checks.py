"""What the checks of Parts 2-4 share: a new prompt, and what a request got."""

import secrets
from typing import Any

import httpx


def answered(response: httpx.Response) -> str:
    request = response.request
    return (
        f"{request.method} {request.url.raw_path.decode()} answered "
        f"{response.status_code}: {response.text}"
    )


def post_prompt(api: httpx.Client, **fields: Any) -> httpx.Response:
    """POST /prompts, with a name no other check uses unless one is given."""
    body = {"name": f"prompt-{secrets.token_hex(6)}", "template": "Hi {x}", **fields}
    return api.post("/prompts", json=body)


def create_prompt(api: httpx.Client, **fields: Any) -> dict[str, Any]:
    response = post_prompt(api, **fields)
    assert response.status_code == 201, answered(response)
    return dict(response.json())


def listed(api: httpx.Client, key: str = "id", **params: Any) -> list[Any]:
    """The `key` of each prompt GET /prompts lists with these parameters."""
    response = api.get("/prompts", params=params)
    assert response.status_code == 200, answered(response)
    return [prompt[key] for prompt in response.json()]
