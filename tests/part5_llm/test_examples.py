"""The chapter's examples, pasted into bash against the real app, in page order.

After the curl examples the page runs its stream client twice (Step 7): to
the end, then walking away. The ids and statuses it names for those runs
must be the ones that walk produces, on top of the examples' runs.
"""

import re
import shlex

import httpx
import pytest

from part5_llm.stream_client import main
from tests.examples import check_examples
from tests.part5_llm.helpers import wait_for
from tests.part5_llm.test_stream_client import stream_client_commands
from tests.serving import ROOT, ServerProcess

PAGE = (ROOT / "docs" / "part5.md").read_text()


def run_printed(command: str, base_url: str) -> None:
    """A printed `python -m part5_llm.stream_client ...`, run in this process."""
    assert main([*shlex.split(command)[3:], "--base-url", base_url]) == 0


def test_chapter_examples_match_the_app(
    emptied_http: httpx.Client,
    app_server: ServerProcess,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # `emptied_http` empties the tables first, so the ids are the chapter's.
    check_examples(app_server.base_url, "part5_llm")
    to_the_end, walking_away = stream_client_commands()
    run_printed(to_the_end, app_server.base_url)
    ending = capsys.readouterr().out.splitlines()[-1]
    completed = re.search(r"`(run \d+: completed), \d+ pieces`", PAGE)
    assert completed, "the page says which run the client's stream made"
    assert ending.startswith(completed[1] + ",")
    run_printed(walking_away, app_server.base_url)
    cancelled = re.search(r"`GET /runs/(\d+)`, is `cancelled`", PAGE)
    assert cancelled, "the page says which run the walk-away left"

    def newest_run() -> dict[str, object]:
        [run] = emptied_http.get("/runs", params={"limit": 1}).json()
        return dict(run)

    # The app records a walk-away once it sees the client gone.
    newest = wait_for(lambda: (run := newest_run())["status"] != "completed" and run)
    assert (newest["id"], newest["status"]) == (int(cancelled[1]), "cancelled")
