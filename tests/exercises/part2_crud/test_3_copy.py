"""Exercise 3 (stretch): copy a prompt under a new name.

`POST /prompts/{id}/copy` with the body `{"name": "..."}` answers 201 with a
new prompt: an id of its own, that name, and the original's template, model
and temperature. A name that another prompt holds, in any case, gets 409; an
unknown id gets the same 404 as `GET /prompts/{id}`; a name that creating a
prompt would refuse (blank, or longer than 100 characters) gets 422.
"""

import secrets

import httpx


def create(api: httpx.Client) -> dict[str, object]:
    prompt = {
        "name": f"Translate-{secrets.token_hex(4)}",
        "template": "Translate into {language}: {text}",
        "model": "llama3.1",
        "temperature": 0.2,
    }
    response = api.post("/prompts", json=prompt)
    assert response.status_code == 201, f"POST /prompts answered {response.text}"
    return dict(response.json())


def copy(api: httpx.Client, prompt_id: object, name: str) -> httpx.Response:
    return api.post(f"/prompts/{prompt_id}/copy", json={"name": name})


def answer(response: httpx.Response) -> str:
    path = response.request.url.path
    return f"POST {path} answered {response.status_code}: {response.text}"


def test_a_copy_is_a_new_prompt_with_the_new_name(api: httpx.Client) -> None:
    original = create(api)
    name = f"translate-copy-{secrets.token_hex(4)}"
    response = copy(api, original["id"], name)
    assert response.status_code == 201, answer(response)
    made = response.json()
    assert made["id"] != original["id"], f"the copy kept the original's id: {made}"
    expected = {**original, "id": made["id"], "name": name}
    assert made == expected, f"the copy should be {expected}; it is {made}"


def test_the_copy_is_stored_beside_the_original(api: httpx.Client) -> None:
    original = create(api)
    response = copy(api, original["id"], f"translate-copy-{secrets.token_hex(4)}")
    assert response.status_code == 201, answer(response)
    made = response.json()
    for prompt in (made, original):
        read = api.get(f"/prompts/{prompt['id']}")
        assert read.json() == prompt, (
            f"GET /prompts/{prompt['id']} should give {prompt}; it gave {read.text}"
        )


def test_a_name_that_is_taken_gets_a_409(api: httpx.Client) -> None:
    original = create(api)
    taken = str(original["name"]).upper()  # names clash whatever their case
    response = copy(api, original["id"], taken)
    assert response.status_code == 409, (
        f"{answer(response)}; {original['name']!r} is taken, so {taken!r} is too"
    )


def test_an_unknown_id_gets_the_same_404_as_reading_it(api: httpx.Client) -> None:
    original = create(api)
    assert api.delete(f"/prompts/{original['id']}").status_code == 204
    response = copy(api, original["id"], f"copy-{secrets.token_hex(4)}")
    expected = api.get(f"/prompts/{original['id']}")
    assert (response.status_code, response.json()) == (404, expected.json()), (
        f"{answer(response)}; for this deleted prompt, GET answers 404 {expected.text}"
    )


def test_a_name_that_create_refuses_gets_a_422(api: httpx.Client) -> None:
    original = create(api)
    for name in ["   ", "x" * 101]:
        response = copy(api, original["id"], name)
        assert response.status_code == 422, (
            f"with the name {name!r}: {answer(response)}"
        )
