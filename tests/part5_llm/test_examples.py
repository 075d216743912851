"""The chapter's examples, pasted into bash against the real app."""

from tests.examples import check_examples
from tests.serving import ServerProcess


def test_chapter_examples_print_their_answer_boxes(
    emptied_http: object, app_server: ServerProcess
) -> None:
    # `emptied_http` empties the tables first, so the ids are the chapter's.
    check_examples(app_server.base_url, "part5_llm")
