"""Part 2 as a reader runs it: a real uvicorn process, real HTTP."""

import httpx

from tests.serving import running_server


def test_chapter_command_serves_the_prompt_library() -> None:
    with running_server("uvicorn part2_crud.main:app --reload") as server:
        api = server.base_url + "/prompts"
        prompt = {"name": "greeting", "template": "Hello, {name}!"}
        created = httpx.post(api, json=prompt)
        assert created.status_code == 201
        url = f"{api}/{created.json()['id']}"
        rendered = httpx.post(url + "/render", json={"variables": {"name": "Ada"}})
        assert rendered.json() == {"text": "Hello, Ada!"}
        assert httpx.delete(url).status_code == 204


def test_prompts_are_gone_when_a_new_process_starts() -> None:
    with running_server("uvicorn part2_crud.main:app") as first:
        prompt = {"name": "kept in memory", "template": "Hi"}
        assert httpx.post(first.base_url + "/prompts", json=prompt).status_code == 201
        assert len(httpx.get(first.base_url + "/prompts").json()) == 1
    with running_server("uvicorn part2_crud.main:app") as second:
        assert httpx.get(second.base_url + "/prompts").json() == []
