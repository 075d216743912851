"""Exercise 1 (easy): find the failed runs.

`GET /runs?status=failed` lists only the runs that failed (`completed` and
`cancelled` work the same way), newest first as before, and combines with
`prompt_id`; any other status is a `422`. Without `status`, the list is what
it was.
"""

from typing import Any

import httpx

from tests.exercises.part5_llm.helpers import create_prompt

Run = dict[str, Any]


def one_run_of_each(api: httpx.Client) -> tuple[Run, Run]:
    """A completed run and a failed one (the fake refuses `fake-error-404`)."""
    body = {"variables": {"x": "hello"}, "max_tokens": 1}
    answered = create_prompt(api, model="gpt-4o-mini")["id"]
    completed = api.post(f"/prompts/{answered}/generate", json=body)
    assert completed.status_code == 200, f"generate answered {completed.text}"
    refused = create_prompt(api, model="fake-error-404")["id"]
    assert api.post(f"/prompts/{refused}/generate", json=body).status_code == 502
    [failed] = api.get("/runs", params={"prompt_id": refused}).json()
    return completed.json(), failed


def runs(api: httpx.Client, **params: str | int) -> list[Run]:
    response = api.get("/runs", params={"limit": 100, **params})
    assert response.status_code == 200, f"GET /runs?{params} answered {response.text}"
    return list(response.json())


def test_status_failed_lists_only_failed_runs(api: httpx.Client) -> None:
    completed, failed = one_run_of_each(api)
    found = runs(api, status="failed")
    ids = [run["id"] for run in found]
    assert failed["id"] in ids, (
        f"GET /runs?status=failed lacks failed run {failed['id']}"
    )
    assert completed["id"] not in ids, (
        f"GET /runs?status=failed lists completed run {completed['id']}"
    )
    statuses = {run["status"] for run in found}
    assert statuses == {"failed"}, f"GET /runs?status=failed lists runs {statuses}"


def test_status_completed_lists_only_completed_runs(api: httpx.Client) -> None:
    completed, failed = one_run_of_each(api)
    found = runs(api, status="completed")
    ids = [run["id"] for run in found]
    assert ids[:1] == [completed["id"]], (
        f"the newest completed run is {completed['id']}, GET /runs?status=completed "
        f"starts with {ids[:1]}"
    )
    assert failed["id"] not in ids, (
        f"GET /runs?status=completed lists failed run {failed['id']}"
    )


def test_status_and_prompt_id_combine(api: httpx.Client) -> None:
    completed, _ = one_run_of_each(api)
    prompt_id = completed["prompt_id"]
    found = runs(api, prompt_id=prompt_id, status="completed")
    assert [run["id"] for run in found] == [completed["id"]]
    found = runs(api, prompt_id=prompt_id, status="failed")
    assert found == [], f"prompt {prompt_id} has no failed run, yet /runs lists {found}"


def test_an_unknown_status_gets_422(api: httpx.Client) -> None:
    response = api.get("/runs", params={"status": "done"})
    assert response.status_code == 422, (
        f"GET /runs?status=done answered {response.status_code}, not 422"
    )


def test_without_status_every_run_is_listed(api: httpx.Client) -> None:
    completed, failed = one_run_of_each(api)
    ids = {run["id"] for run in runs(api)}
    assert {completed["id"], failed["id"]} <= ids, "GET /runs should list every run"
