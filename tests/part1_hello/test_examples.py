from tests.examples import check_examples
from tests.serving import running_server


def test_chapter_examples_print_their_answer_boxes() -> None:
    # The fake model answers at once here; its answer is the same.
    quick = {"FAKE_LLM_LATENCY_S": "0.01"}
    with running_server("uvicorn part1_hello.main:app", quick) as server:
        check_examples(server.base_url, "part1_hello")
