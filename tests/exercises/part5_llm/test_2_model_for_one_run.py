"""Exercise 2 (medium): another model or temperature, for one run.

The body of both generate requests takes an optional `model` and an optional
`temperature` (0 to 2, as for a prompt). Given, they replace the prompt's own
for this run only: the provider is asked for that model at that temperature,
and the run records both. Left out, the prompt's own are used, as before.
"""

import secrets

import httpx

from tests.exercises.part5_llm.helpers import create_prompt, fake_calls, stream_events
from tests.serving import ServerProcess


def generate(api: httpx.Client, prompt_id: int, **options: object) -> httpx.Response:
    body = {"variables": {"x": "hello"}, "max_tokens": 1, **options}
    return api.post(f"/prompts/{prompt_id}/generate", json=body)


def test_the_provider_is_asked_for_the_model_in_the_body(
    api: httpx.Client, shared_servers: dict[str, ServerProcess]
) -> None:
    prompt = create_prompt(api, model="gpt-4o-mini")
    model = f"fake-model-{secrets.token_hex(4)}"
    response = generate(api, prompt["id"], model=model)
    assert response.status_code == 200, (
        f"generate answered {response.status_code}: {response.text}"
    )
    asked = [call["model"] for call in fake_calls(shared_servers["part5_llm"])]
    assert model in asked, f"the fake provider was never asked for model {model!r}"


def test_the_run_records_the_model_and_temperature_used(api: httpx.Client) -> None:
    prompt = create_prompt(api, model="gpt-4o-mini", temperature=0.7)
    response = generate(api, prompt["id"], model="other-model", temperature=1.5)
    assert response.status_code == 200, (
        f"generate answered {response.status_code}: {response.text}"
    )
    run = api.get(f"/runs/{response.json()['id']}").json()
    used = (run["model"], run["temperature"])
    assert used == ("other-model", 1.5), f"the run records model and temperature {used}"


def test_temperature_zero_is_a_temperature(api: httpx.Client) -> None:
    prompt = create_prompt(api, temperature=0.7)
    response = generate(api, prompt["id"], temperature=0)
    assert response.status_code == 200, (
        f"generate answered {response.status_code}: {response.text}"
    )
    run = response.json()
    assert run["temperature"] == 0.0, (
        f"asked for temperature 0, the run used {run['temperature']}"
    )


def test_a_model_the_provider_refuses_gets_502(api: httpx.Client) -> None:
    prompt = create_prompt(api, model="gpt-4o-mini")
    response = generate(api, prompt["id"], model="fake-error-404")
    assert response.status_code == 502, (
        f"the body asked for model fake-error-404, which the fake refuses, "
        f"yet generate answered {response.status_code}"
    )


def test_the_stream_takes_them_too(api: httpx.Client) -> None:
    prompt = create_prompt(api, model="gpt-4o-mini", temperature=0.7)
    body = {
        "variables": {"x": "hi"},
        "max_tokens": 2,
        "model": "m2",
        "temperature": 0.2,
    }
    events = stream_events(api, prompt["id"], body)
    name, run = events[-1]
    assert name == "done", f"the stream ended with {events[-1]}"
    used = (run["model"], run["temperature"])
    assert used == ("m2", 0.2), f"the streamed run records model and temperature {used}"


def test_left_out_the_prompt_decides(api: httpx.Client) -> None:
    prompt = create_prompt(api, model="gpt-4o-mini", temperature=0.3)
    generate(api, prompt["id"], model="other-model", temperature=1.0)
    run = generate(api, prompt["id"]).json()
    assert (run["model"], run["temperature"]) == ("gpt-4o-mini", 0.3)
    unchanged = api.get(f"/prompts/{prompt['id']}").json()
    assert unchanged == prompt, f"generate changed the prompt itself: {unchanged}"


def test_values_out_of_range_get_422(api: httpx.Client) -> None:
    prompt = create_prompt(api)
    for options in ({"temperature": 2.5}, {"temperature": -0.1}, {"model": ""}):
        response = generate(api, prompt["id"], **options)
        assert response.status_code == 422, (
            f"generate with {options} answered {response.status_code}, not 422"
        )
