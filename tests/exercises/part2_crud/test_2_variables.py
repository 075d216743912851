"""Exercise 2 (medium): list a template's variables.

`GET /prompts/{id}/variables` answers 200 with the template's placeholder
names as a JSON list: each once, in order of first appearance, exactly as the
renderer reads them (`{{name}}` is literal text). An unknown id gets the same
404 as `GET /prompts/{id}`, an id that cannot exist (0) the same 422.
"""

import httpx
import pytest

from tests.exercises.checks import answered, create_prompt


@pytest.mark.parametrize(
    ("template", "variables"),
    [
        (
            "Summarise in {style} style: {text}. Keep the {style} style.",
            ["style", "text"],
        ),
        # Literal braces, a number and an attribute are plain text to the renderer.
        ('Answer in JSON, {{"answer": "{answer}"}}; ignore {0} and {a.b}.', ["answer"]),
        ("Say hello.", []),
    ],
)
def test_each_placeholder_the_renderer_fills_is_listed_once_in_order(
    api: httpx.Client, template: str, variables: list[str]
) -> None:
    response = api.get(
        f"/prompts/{create_prompt(api, template=template)['id']}/variables"
    )
    assert response.status_code == 200, answered(response)
    assert response.json() == variables, f"for {template!r}: {answered(response)}"


def test_an_unknown_id_gets_the_same_404_as_reading_it(api: httpx.Client) -> None:
    prompt_id = create_prompt(api)["id"]
    assert api.delete(f"/prompts/{prompt_id}").status_code == 204
    response = api.get(f"/prompts/{prompt_id}/variables")
    expected = api.get(f"/prompts/{prompt_id}")
    assert (response.status_code, response.json()) == (404, expected.json()), (
        f"for a deleted prompt, {answered(response)}; GET answers 404 {expected.text}"
    )


def test_an_id_that_cannot_exist_gets_a_422(api: httpx.Client) -> None:
    response = api.get("/prompts/0/variables")
    assert response.status_code == 422, f"{answered(response)}; ids start at 1"
