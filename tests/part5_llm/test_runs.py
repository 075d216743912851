"""GET /runs and GET /runs/{id}: every call to the model, kept."""

from typing import Any

import httpx
import pytest

from tests.part5_llm.helpers import create_prompt, unique_topic


def generate(http: httpx.Client, prompt_id: int) -> dict[str, Any]:
    body = {"variables": {"topic": unique_topic()}, "max_tokens": 1}
    response = http.post(f"/prompts/{prompt_id}/generate", json=body)
    assert response.status_code == 200, response.text
    run: dict[str, Any] = response.json()
    return run


def test_runs_are_listed_newest_first(http: httpx.Client) -> None:
    prompt_id = create_prompt(http)
    ids = [generate(http, prompt_id)["id"] for _ in range(3)]
    listed = http.get("/runs", params={"prompt_id": prompt_id}).json()
    assert [run["id"] for run in listed] == ids[::-1]


def test_runs_can_be_filtered_by_prompt(http: httpx.Client) -> None:
    mine, other = create_prompt(http), create_prompt(http)
    generate(http, other)
    run = generate(http, mine)
    assert http.get("/runs", params={"prompt_id": mine}).json() == [run]


def test_runs_are_listed_a_page_at_a_time(http: httpx.Client) -> None:
    prompt_id = create_prompt(http)
    ids = [generate(http, prompt_id)["id"] for _ in range(3)]
    page = http.get("/runs", params={"prompt_id": prompt_id, "offset": 1, "limit": 1})
    assert [run["id"] for run in page.json()] == [ids[1]]


def test_runs_outlive_their_prompt(http: httpx.Client) -> None:
    prompt_id = create_prompt(http)
    run = generate(http, prompt_id)
    assert http.delete(f"/prompts/{prompt_id}").status_code == 204
    assert http.get(f"/runs/{run['id']}").json() == run
    assert http.get("/runs", params={"prompt_id": prompt_id}).json() == [run]


def test_missing_run_gets_404(http: httpx.Client) -> None:
    response = http.get("/runs/999999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "Run 999999999 not found"}


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=101", "offset=-1", "prompt_id=0", "prompt_id=x", "limit=1.5"],
)
def test_invalid_list_query_gets_422(http: httpx.Client, query: str) -> None:
    assert http.get(f"/runs?{query}").status_code == 422


@pytest.mark.parametrize("run_id", ["0", "-1", str(2**63), "abc"])
def test_invalid_run_id_gets_422(http: httpx.Client, run_id: str) -> None:
    assert http.get(f"/runs/{run_id}").status_code == 422
