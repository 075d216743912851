"""The chapter's examples, sent over the wire to the real app.

A TestClient would hold a stream until it ended; an httpx client reads it as
curl does. tests/site replays the same files with the real curl.
"""

import httpx

from tests.examples import check_examples


def test_chapter_examples_match_the_app(emptied_http: httpx.Client) -> None:
    # `emptied_http` empties the tables first, so the ids are the chapter's.
    check_examples(emptied_http, "part5_llm")
