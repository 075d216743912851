"""The chapter's example commands, pasted into bash against the real app.

A TestClient would read a stream only once it had ended, so these run with
the real curl against the app under uvicorn, on an empty database.
"""

import httpx

from tests.examples import check_examples_with_curl
from tests.serving import ServerProcess


def test_chapter_examples_print_their_answer_boxes(
    client: httpx.Client, app_server: ServerProcess
) -> None:
    # `client` empties the tables first, so the ids are the chapter's.
    check_examples_with_curl(app_server.base_url, "part5_llm")
