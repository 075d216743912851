"""Exercise 2 (medium): list a template's variables.

`GET /prompts/{id}/variables` answers 200 with the template's placeholder
names as a JSON list: each once, in order of first appearance, exactly as the
renderer reads them (`{{name}}` is literal text). An unknown id gets the same
404 as `GET /prompts/{id}`, an id that cannot exist (0) the same 422.
"""

import secrets

import httpx


def create(api: httpx.Client, template: str) -> int:
    prompt = {"name": f"variables-{secrets.token_hex(4)}", "template": template}
    response = api.post("/prompts", json=prompt)
    assert response.status_code == 201, f"POST /prompts answered {response.text}"
    return int(response.json()["id"])


def variables_of(api: httpx.Client, template: str) -> object:
    url = f"/prompts/{create(api, template)}/variables"
    response = api.get(url)
    assert response.status_code == 200, (
        f"GET {url} answered {response.status_code}: {response.text}"
    )
    return response.json()


def test_each_placeholder_is_listed_once_in_order(api: httpx.Client) -> None:
    template = "Summarise in {style} style: {text}. Keep the {style} style."
    found = variables_of(api, template)
    assert found == ["style", "text"], f"for {template!r} the answer was {found}"


def test_only_what_the_renderer_fills_is_a_variable(api: httpx.Client) -> None:
    # Literal braces, a number and an attribute are plain text to the renderer.
    template = 'Answer in JSON, {{"answer": "{answer}"}}; ignore {0} and {a.b}.'
    found = variables_of(api, template)
    assert found == ["answer"], f"for {template!r} the answer was {found}"


def test_a_template_without_placeholders_has_none(api: httpx.Client) -> None:
    found = variables_of(api, "Say hello.")
    assert found == [], f"for 'Say hello.' the answer was {found}"


def test_an_unknown_id_gets_the_same_404_as_reading_it(api: httpx.Client) -> None:
    prompt_id = create(api, "Hi {name}")
    assert api.delete(f"/prompts/{prompt_id}").status_code == 204
    response = api.get(f"/prompts/{prompt_id}/variables")
    expected = api.get(f"/prompts/{prompt_id}")
    assert (response.status_code, response.json()) == (404, expected.json()), (
        f"GET /prompts/{prompt_id}/variables, for a deleted prompt, answered "
        f"{response.status_code} {response.text}; GET /prompts/{prompt_id} "
        f"answers 404 {expected.text}"
    )


def test_an_id_that_cannot_exist_gets_a_422(api: httpx.Client) -> None:
    response = api.get("/prompts/0/variables")
    assert response.status_code == 422, (
        f"GET /prompts/0/variables answered {response.status_code}: {response.text}; "
        "ids start at 1, as in GET /prompts/0"
    )
