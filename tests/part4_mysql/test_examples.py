from part4_mysql.settings import Settings
from tests.examples import check_examples
from tests.part4_mysql.databases import server_environment, throwaway_database
from tests.serving import running_server


def test_chapter_examples_print_their_answer_boxes(server_settings: Settings) -> None:
    with (
        throwaway_database(server_settings) as database,
        running_server(
            "uvicorn part4_mysql.main:app", server_environment(database)
        ) as server,
    ):
        check_examples(server.base_url, "part4_mysql")
