"""Exercise 3 (stretch): copy a prompt under a new name.

`POST /prompts/{id}/copy` with the body `{"name": "..."}` answers 201 with a
new prompt: an id of its own, that name, and the original's template, model
and temperature. A name that another prompt holds, in any case, gets 409; an
unknown id gets the same 404 as `GET /prompts/{id}`; a name that creating a
prompt would refuse (blank, or longer than 100 characters) gets 422.
"""

import secrets

import httpx
import pytest

from tests.exercises.checks import answered, create_prompt


def copy(api: httpx.Client, prompt_id: object, name: str) -> httpx.Response:
    return api.post(f"/prompts/{prompt_id}/copy", json={"name": name})


def test_a_copy_is_a_new_prompt_stored_beside_the_original(api: httpx.Client) -> None:
    original = create_prompt(api, model="llama3.1", temperature=0.2)
    name = f"copy-{secrets.token_hex(4)}"
    response = copy(api, original["id"], name)
    assert response.status_code == 201, answered(response)
    made = response.json()
    assert made["id"] != original["id"], f"the copy kept the original's id: {made}"
    assert made == {**original, "id": made["id"], "name": name}, answered(response)
    for prompt in (made, original):
        read = api.get(f"/prompts/{prompt['id']}")
        assert read.json() == prompt, f"{answered(read)}, expected {prompt}"


def test_a_name_that_is_taken_in_any_case_gets_a_409(api: httpx.Client) -> None:
    original = create_prompt(api)
    response = copy(api, original["id"], str(original["name"]).upper())
    assert response.status_code == 409, f"{answered(response)}: the name is taken"


def test_an_unknown_id_gets_the_same_404_as_reading_it(api: httpx.Client) -> None:
    prompt_id = create_prompt(api)["id"]
    assert api.delete(f"/prompts/{prompt_id}").status_code == 204
    response = copy(api, prompt_id, f"copy-{secrets.token_hex(4)}")
    expected = api.get(f"/prompts/{prompt_id}")
    assert (response.status_code, response.json()) == (404, expected.json()), (
        f"for a deleted prompt, {answered(response)}; GET answers 404 {expected.text}"
    )


@pytest.mark.parametrize("name", ["   ", "x" * 101])
def test_a_name_that_create_refuses_gets_a_422(api: httpx.Client, name: str) -> None:
    response = copy(api, create_prompt(api)["id"], name)
    assert response.status_code == 422, f"with the name {name!r}: {answered(response)}"
