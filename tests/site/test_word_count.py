"""Every chapter keeps its always-visible prose to 2,500 words or fewer.

The running text is the beginner's path; depth goes into folded boxes. What
counts as visible is defined in tests/site/visible_words.py.
"""

from pathlib import Path

import pytest

from tests.serving import ROOT
from tests.site.visible_words import visible_words

MOST_VISIBLE_WORDS = 2_500


@pytest.mark.parametrize(
    "chapter", sorted((ROOT / "docs").glob("part*.md")), ids=lambda path: path.name
)
def test_chapter_shows_at_most_2500_words_unfolded(chapter: Path) -> None:
    words = visible_words(chapter.read_text(encoding="utf-8"))
    assert words <= MOST_VISIBLE_WORDS, (
        f"{chapter.name} shows {words} words before any box is opened; fold "
        f"depth into ??? boxes until it is {MOST_VISIBLE_WORDS} or fewer"
    )


@pytest.mark.parametrize(
    ("page", "words"),
    [
        pytest.param("# A title\n\nOne two three.\n", 5, id="text-and-headings"),
        pytest.param("Run it:\n\n```bash\nmake run PART=3\n```\n", 2, id="code"),
        pytest.param('--8<-- "a.py:b"\n<!-- a note -->\nSeen.\n', 1, id="snippet"),
        pytest.param(
            '??? info "Hidden"\n    Four hidden words.\n\n    More.\n\nAfter.\n',
            2,
            id="folded-box-shows-its-title",
        ),
        pytest.param('!!! note "Two words"\n    Three more words.\n', 6, id="open"),
        pytest.param(
            '???+ note "Two words"\n    Three more words.\n', 6, id="unfolded"
        ),
        pytest.param(
            '```python\n--8<-- "part4_mysql/database.py:engine"\n```\n\n'
            "1.  Hidden until the marker is clicked.\n    Still hidden.\n\nShown.\n",
            1,
            id="annotations-of-annotated-code",
        ),
        pytest.param("```text\nplain\n```\n\n1.  A visible list item.\n", 4, id="list"),
        pytest.param("See [the page](performance.md#part-4).\n", 3, id="link-text"),
        pytest.param(
            "If `n<5` holds, `n>0` too: <b>bold</b>.\n", 6, id="bare-less-than"
        ),
    ],
)
def test_visible_words_counts_what_a_reader_sees(page: str, words: int) -> None:
    assert visible_words(page) == words
