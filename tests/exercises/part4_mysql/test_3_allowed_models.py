"""Exercise 3 (stretch): only the models the environment allows.

Started with the environment variable `ALLOWED_MODELS` set to a JSON list,
such as `["gpt-4o-mini", "llama3"]`, the app answers `422` to a POST or a
PATCH that names a model outside the list (a POST without a model names the
default, `gpt-4o-mini`), and stores nothing of it. Without the variable,
every model is allowed, as before.
"""

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.exercises.checks import answered, post_prompt
from tests.exercises.harness import served_part

ALLOWED = ["gpt-4o-mini", "llama3"]


@pytest.fixture(scope="module")
def restricted(
    roots: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[httpx.Client]:
    """Your part, started with ALLOWED_MODELS='["gpt-4o-mini", "llama3"]'."""
    storage = tmp_path_factory.mktemp("allowed-models")
    env = {"ALLOWED_MODELS": json.dumps(ALLOWED)}
    with (
        served_part("part4_mysql", roots["part4_mysql"], storage, env) as server,
        httpx.Client(base_url=server.base_url, timeout=10.0) as client,
    ):
        yield client


def test_a_prompt_for_a_model_outside_the_list_is_refused(
    restricted: httpx.Client, api: httpx.Client
) -> None:
    name = "allowed-models-first"
    refused = post_prompt(restricted, name=name, model="gpt-4o")
    assert refused.status_code == 422, (
        f"{answered(refused)}, with ALLOWED_MODELS={json.dumps(ALLOWED)}; "
        "expected 422 for the model gpt-4o"
    )
    # Nothing was stored: the name is still free.
    accepted = post_prompt(restricted, name=name, model="llama3")
    assert accepted.status_code == 201, answered(accepted)
    default = post_prompt(restricted)  # the default model, gpt-4o-mini, is in the list
    assert default.status_code == 201, answered(default)
    unrestricted = post_prompt(api, model="gpt-4o")
    assert unrestricted.status_code == 201, (
        f"{answered(unrestricted)}, on a server started without ALLOWED_MODELS, "
        "where every model is allowed"
    )


def test_a_change_to_a_model_outside_the_list_is_refused(
    restricted: httpx.Client,
) -> None:
    created = post_prompt(restricted, model="llama3")
    assert created.status_code == 201, answered(created)
    url = f"/prompts/{created.json()['id']}"
    refused = restricted.patch(url, json={"model": "gpt-4o", "temperature": 0.1})
    assert refused.status_code == 422, (
        f"{answered(refused)}, with ALLOWED_MODELS={json.dumps(ALLOWED)}; "
        "expected 422 for the model gpt-4o"
    )
    stored = restricted.get(url).json()
    assert (stored["model"], stored["temperature"]) == ("llama3", 0.7), (
        f"after the refused PATCH, GET {url} answered {stored}: nothing may change"
    )
    accepted = restricted.patch(url, json={"model": "gpt-4o-mini"})
    assert accepted.status_code == 200, answered(accepted)
