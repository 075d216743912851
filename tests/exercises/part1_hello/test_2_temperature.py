"""Exercise 2 (medium): an optional temperature.

`POST /generate` also accepts an optional `temperature`, a number from 0 to 2:
`{"prompt": "Hi", "temperature": 0.7}` gets the usual answer, and a
`temperature` of -0.1, 2.5 or `"0.7"` gets a 422 that names `temperature`. A
request without it works as before.
"""

import httpx
import pytest


def generate(api: httpx.Client, temperature: object) -> httpx.Response:
    return api.post("/generate", json={"prompt": "Hi", "temperature": temperature})


@pytest.mark.parametrize("temperature", [0, 0.7, 2])
def test_temperature_from_0_to_2_is_accepted(
    api: httpx.Client, temperature: float
) -> None:
    response = generate(api, temperature)
    assert response.status_code == 200, (
        f"temperature={temperature} answered {response.status_code}: {response.text}"
    )
    assert response.json()["prompt"] == "Hi", f"unexpected answer: {response.text}"


@pytest.mark.parametrize("temperature", [-0.1, 2.5, 100, "0.7", None])
def test_temperature_outside_0_to_2_or_not_a_number_is_refused(
    api: httpx.Client, temperature: object
) -> None:
    response = generate(api, temperature)
    assert response.status_code == 422, (
        f"temperature={temperature!r} answered {response.status_code}, expected 422"
    )
    detail = response.json()["detail"]
    errors = [e for e in detail if e["loc"] == ["body", "temperature"]]
    assert errors, (
        f"the 422 for temperature={temperature!r} does not name it: {response.text}"
    )
    # Before the exercise, FastAPI refuses every temperature: the field is unknown.
    assert errors[0]["type"] != "extra_forbidden", (
        "POST /generate still refuses temperature as an unknown field: "
        "add it to GenerateRequest"
    )
