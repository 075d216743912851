"""Every chapter keeps its always-visible prose to 2,500 words or fewer.

The running text is the beginner's path; depth goes into folded boxes. What
counts as visible is defined in tests/site/visible_words.py.
"""

from pathlib import Path

import pytest

from tests.serving import ROOT
from tests.site.visible_words import visible_words

MOST_VISIBLE_WORDS = 2_500
CHAPTERS = sorted((ROOT / "docs").glob("part*.md"))


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.name)
def test_chapter_shows_at_most_2500_words_unfolded(chapter: Path) -> None:
    words = visible_words(chapter.read_text(encoding="utf-8"))
    assert words <= MOST_VISIBLE_WORDS, (
        f"{chapter.name} shows {words} words before any box is opened; fold "
        f"depth into ??? boxes until it is {MOST_VISIBLE_WORDS} or fewer"
    )


def test_running_text_and_headings_count() -> None:
    assert visible_words("# A title\n\nOne two three.\n") == 5


def test_code_blocks_do_not_count() -> None:
    assert visible_words("Run it:\n\n```bash\nmake run PART=3\n```\n") == 2


def test_snippet_lines_and_comments_do_not_count() -> None:
    page = '--8<-- "part3_sqlite/models.py:base"\n<!-- a note -->\nSeen.\n'
    assert visible_words(page) == 1


def test_a_folded_box_shows_only_its_title() -> None:
    page = '??? info "Under the hood"\n    Four hidden words.\n\n    More.\n\nAfter.\n'
    assert visible_words(page) == 4


def test_an_open_admonition_counts_in_full() -> None:
    page = '!!! note "Two words"\n    Three more words.\n'
    assert visible_words(page) == 6


def test_a_box_that_starts_unfolded_counts_in_full() -> None:
    page = '???+ note "Two words"\n    Three more words.\n'
    assert visible_words(page) == 6


def test_annotations_of_annotated_code_do_not_count() -> None:
    page = (
        '```python\n--8<-- "part4_mysql/database.py:engine"\n```\n\n'
        "1.  Hidden until the marker is clicked.\n    Still hidden.\n\nShown.\n"
    )
    assert visible_words(page) == 1


def test_a_list_after_plain_code_counts() -> None:
    page = "```text\nplain\n```\n\n1.  A visible list item.\n"
    assert visible_words(page) == 4


def test_a_link_counts_its_text_not_its_address() -> None:
    assert visible_words("See [the performance page](performance.md#part-4).\n") == 4
