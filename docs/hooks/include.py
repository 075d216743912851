"""MkDocs hook: a chapter shows Python code by naming it, not by marking it.

A line of its own, inside a code block and indented as deep as the block,

    ```python
    --8<-- "part3_sqlite/main.py:save"
    ```

becomes the source of `save` in that file: a top-level function, class or
assignment, with its decorators and the comment lines right above it.

- `store.py:PromptStore.create` is a method (or an inner function), dedented;
- `main.py:Store,PromptId` shows several in file order, one blank line apart
  (none between two that are neighbours in the file);
- `store.py:/^@dataclass/-/lock:/` shows the lines from the first that matches
  the first regex to the next that matches the second, for the rare case where
  a whole definition is too much.

The part folders stay plain code, and a name or pattern that is not found
stops the build with an error naming the page. Whole files (`"main.py"`) and
other files (`.sh`, `.out`, `.diff`) go on to pymdownx.snippets as before.
"""

from __future__ import annotations

import ast
import itertools
import re
import textwrap
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

INCLUDE = re.compile(
    r'^(?P<indent>[ \t]*)--8<-- "(?P<path>[^":]+\.py):(?P<what>[^"]+)"[ \t]*$', re.M
)
PATTERN = re.compile(r"^/(?P<start>.+?)/-/(?P<end>.+)/$")
# Folders whose files the pages show: `mkdocs serve` rebuilds when they change.
WATCHED: set[Path] = set()


def name_of(node: ast.stmt) -> str | None:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return node.name
    targets = node.targets if isinstance(node, ast.Assign) else []
    if isinstance(node, ast.AnnAssign):
        targets = [node.target]
    names = [target.id for target in targets if isinstance(target, ast.Name)]
    return names[0] if len(names) == 1 else None


def find(body: list[ast.stmt], dotted: str) -> ast.stmt | None:
    first, _, rest = dotted.partition(".")
    for node in body:
        if name_of(node) == first:
            if not rest:
                return node
            return find(getattr(node, "body", []), rest)
    return None


def span(node: ast.stmt, lines: list[str]) -> tuple[int, int]:
    """The definition's lines (0-based, end excluded), with the comments above."""
    decorators = getattr(node, "decorator_list", [])
    start = min([node.lineno, *(d.lineno for d in decorators)]) - 1
    while start > 0 and lines[start - 1].lstrip().startswith("#"):
        start -= 1
    return start, node.end_lineno or node.lineno


def matched(lines: list[str], start: str, end: str) -> tuple[int, int] | None:
    first = next((i for i, line in enumerate(lines) if re.search(start, line)), None)
    if first is None:
        return None
    ends = (i for i in range(first, len(lines)) if re.search(end, lines[i]))
    last = next(ends, None)
    return None if last is None else (first, last + 1)


def source(path: Path, what: str) -> str | None:
    """The text `what` names in the file, dedented; None if it is not there."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    if pattern := PATTERN.match(what):
        found = matched(lines, pattern["start"], pattern["end"])
        spans = [found] if found else []
    else:
        tree = ast.parse(text, str(path))
        nodes = [find(tree.body, name.strip()) for name in what.split(",")]
        if None in nodes:
            return None
        spans = sorted(span(node, lines) for node in nodes if node)
    if not spans:
        return None
    shown = lines[spans[0][0] : spans[0][1]]
    for (_, end), (start, stop) in itertools.pairwise(spans):
        # Neighbours in the file stay together; others get one blank line.
        shown += ([] if start <= end else [""]) + lines[max(start, end) : stop]
    return textwrap.dedent("\n".join(shown))


def on_page_markdown(markdown: str, *, page: Any, config: Any, **_: Any) -> str:
    root = Path(config.config_file_path).resolve().parent

    def include(match: re.Match[str]) -> str:
        path, what = root / match["path"], match["what"]
        where = f"{page.file.src_path}: {match['path']}"
        if not path.is_file():
            raise PluginError(f"{where}: no such file")
        text = source(path, what)
        if text is None:
            raise PluginError(f"{where} has no {what!r}")
        WATCHED.add(root / Path(match["path"]).parts[0])
        return textwrap.indent(text, match["indent"])

    return INCLUDE.sub(include, markdown)


def on_serve(server: Any, **_: Any) -> Any:
    for folder in sorted(WATCHED):
        server.watch(str(folder))
    return server
