from tests.examples import check_examples
from tests.serving import running_server


def test_chapter_examples_print_their_answer_boxes() -> None:
    with running_server("uvicorn part2_crud.main:app") as server:
        check_examples(server.base_url, "part2_crud")
