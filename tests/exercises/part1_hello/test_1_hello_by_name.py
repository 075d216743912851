"""Exercise 1 (easy): greet someone by name.

`GET /hello?name=Ada` answers `{"message": "Hello, Ada!"}`, and the same for
any other name; `/docs` lists `GET /hello` with its query parameter `name`.
"""

import httpx
import pytest


@pytest.mark.parametrize("name", ["Ada", "Grace Hopper-7f3a"])
def test_hello_greets_the_name_it_is_given(api: httpx.Client, name: str) -> None:
    response = api.get("/hello", params={"name": name})
    answered = (
        f"GET /hello?name={name} answered {response.status_code}: {response.text}"
    )
    assert response.status_code == 200, answered
    assert response.json() == {"message": f"Hello, {name}!"}, answered


def test_docs_list_hello_with_its_name_parameter(api: httpx.Client) -> None:
    operation = api.get("/openapi.json").json()["paths"].get("/hello", {}).get("get")
    assert operation is not None, "/docs does not list GET /hello yet"
    parameters = [(p["name"], p["in"]) for p in operation.get("parameters", [])]
    assert ("name", "query") in parameters, (
        f"GET /hello takes {parameters} in /docs, expected a query parameter `name`"
    )
