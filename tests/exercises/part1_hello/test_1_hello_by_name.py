"""Exercise 1 (easy): greet someone by name.

`GET /hello?name=Ada` answers `{"message": "Hello, Ada!"}`, and the same for
any other name; `/docs` lists `GET /hello` with its query parameter `name`.
"""

import secrets

import httpx


def greeting_for(api: httpx.Client, name: str) -> object:
    response = api.get("/hello", params={"name": name})
    assert response.status_code == 200, (
        f"GET /hello?name={name} answered {response.status_code}: {response.text}"
    )
    return response.json()


def test_hello_greets_ada(api: httpx.Client) -> None:
    answer = greeting_for(api, "Ada")
    assert answer == {"message": "Hello, Ada!"}, (
        f'GET /hello?name=Ada answered {answer}, expected {{"message": "Hello, Ada!"}}'
    )


def test_hello_greets_any_name(api: httpx.Client) -> None:
    name = f"Grace {secrets.token_hex(3)}"
    answer = greeting_for(api, name)
    assert answer == {"message": f"Hello, {name}!"}, (
        f"GET /hello?name={name} answered {answer}: use the name the client sent"
    )


def test_docs_list_hello_with_its_name_parameter(api: httpx.Client) -> None:
    operation = api.get("/openapi.json").json()["paths"].get("/hello", {}).get("get")
    assert operation is not None, "/docs does not list GET /hello yet"
    parameters = [(p["name"], p["in"]) for p in operation.get("parameters", [])]
    assert ("name", "query") in parameters, (
        f"GET /hello takes {parameters} in /docs, expected a query parameter `name`"
    )
