"""MkDocs hook: an exercise's solution diff, shown exactly as the file holds it.

A chapter includes a solution like any other file,

    ```diff
    --8<-- "solutions/part2_crud/1-search.diff"
    ```

but pymdownx.snippets would drop the diff's context lines that are snippet
section markers (`# --8<-- [start:app]`), and a diff copied from the page
would then no longer apply. This hook puts the file in first, with those
markers escaped (`;--8<--`), which snippets turns back into the plain text.

Parts 1 to 4 carry no markers any more, so their diffs hold none either; only
Part 5's still do. Once none does, delete this hook: snippets shows a diff
exactly as it is.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

INCLUDE = re.compile(
    r'^(?P<indent>[ \t]*)--8<-- "(?P<path>solutions/[\w./-]+\.diff)"[ \t]*$', re.M
)


def escaped(text: str) -> str:
    return text.replace("--8<--", ";--8<--")


def on_page_markdown(markdown: str, config: Any, **_: Any) -> str:
    root = Path(config["config_file_path"]).parent

    def diff_file(match: re.Match[str]) -> str:
        path = root / match["path"]
        if not path.is_file():
            raise PluginError(f"no solution file {match['path']}")
        lines = escaped(path.read_text(encoding="utf-8")).splitlines()
        return "\n".join(match["indent"] + line if line else line for line in lines)

    return INCLUDE.sub(diff_file, markdown)
