"""MkDocs hook: "what changed since the previous part", generated from the code.

A chapter writes, alone on a line,

    <!-- what-changed: part2_crud part3_sqlite -->

and this hook replaces it at build time with a folded box: its title is a
one-line summary (files, lines added and removed), and inside is the unified
diff of the two part folders. Nothing is written by hand, so the diff cannot go
stale: change a line in a part folder, rebuild, and every page comparing that
folder shows the change. `mkdocs serve` also watches the part folders, so the
rebuild happens by itself.
"""

from __future__ import annotations

import difflib
import re
import textwrap
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

MARKER = re.compile(
    r"^<!-- what-changed: (?P<old>[\w.-]+) (?P<new>[\w.-]+) -->[ \t]*$", re.MULTILINE
)
# Caches and local data are not part of the lesson; each README.md describes
# only its own folder, so its diff would be noise.
IGNORED_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
IGNORED_FILES = ["README.md", "*.py[cod]", "*.db", "*.db-*", ".env"]


@dataclass
class FolderDiff:
    text: str
    changed: int
    added_files: int
    removed_files: int
    added_lines: int
    removed_lines: int

    def summary(self, old: str, new: str) -> str:
        files = f"{self.changed} file{'s' if self.changed != 1 else ''} changed"
        details = []
        if self.added_files:
            details.append(f"{self.added_files} new")
        if self.removed_files:
            details.append(f"{self.removed_files} removed")
        if details:
            files += f" ({', '.join(details)})"
        return (
            f"From {old}/ to {new}/: {files}, "
            f"{plural(self.added_lines, 'line')} added, "
            f"{plural(self.removed_lines, 'line')} removed"
        )


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def source_files(folder: Path) -> dict[str, Path]:
    """The folder's files that belong in the diff, keyed by relative path."""
    files = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or IGNORED_DIRS.intersection(relative.parts[:-1]):
            continue
        if any(fnmatch(path.name, pattern) for pattern in IGNORED_FILES):
            continue
        files[relative.as_posix()] = path
    return files


def read_lines(path: Path | None) -> list[str] | None:
    """The file's lines without snippet markers; None for a binary file."""
    if path is None:
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"  # so the last line does not run into the next header
    return lines


def diff_folders(old_dir: Path, new_dir: Path) -> FolderDiff:
    old_files, new_files = source_files(old_dir), source_files(new_dir)
    result = FolderDiff("", 0, 0, 0, 0, 0)
    chunks: list[str] = []
    for relative in sorted(old_files.keys() | new_files.keys()):
        old_path, new_path = old_files.get(relative), new_files.get(relative)
        old_label = f"{old_dir.name}/{relative}" if old_path else "/dev/null"
        new_label = f"{new_dir.name}/{relative}" if new_path else "/dev/null"
        old_lines, new_lines = read_lines(old_path), read_lines(new_path)
        if old_lines is None or new_lines is None:
            if old_path and new_path and old_path.read_bytes() == new_path.read_bytes():
                continue
            chunk = [f"Binary files {old_label} and {new_label} differ\n"]
        else:
            chunk = list(
                difflib.unified_diff(old_lines, new_lines, old_label, new_label)
            )
            if not chunk:
                continue
            for line in chunk[2:]:
                if line.startswith("+"):
                    result.added_lines += 1
                elif line.startswith("-"):
                    result.removed_lines += 1
        result.changed += 1
        result.added_files += old_path is None
        result.removed_files += new_path is None
        chunks.extend(chunk)
    result.text = "".join(chunks)
    return result


def fence_for(text: str) -> str:
    """A backtick fence longer than any run of backticks inside the text."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def render(old: str, new: str, root: Path) -> str:
    old_dir, new_dir = root / old, root / new
    for folder in (old_dir, new_dir):
        if not folder.is_dir():
            raise PluginError(f"what-changed: no folder {folder.name!r} in {root}")
    diff = diff_folders(old_dir, new_dir)
    if not diff.changed:
        return f"`{old}/` and `{new}/` hold the same code.\n"
    # A folded admonition (pymdownx.details): the reader opens it on demand.
    # The class lets the stylesheet keep long lines inside the box.
    fence = fence_for(diff.text)
    code = f"{fence}diff\n{diff.text}{fence}\n"
    body = textwrap.indent(code, "    ", lambda line: True)  # blank lines too
    title = diff.summary(old, new).replace('"', "'")
    return f'??? abstract what-changed "{title}"\n\n{body}'


# Top-level folders whose files the pages include or compare, for `on_serve`.
SOURCES: set[str] = set()
SNIPPET = re.compile(r'--8<--\s+"(?P<path>[^"]+)"')


def project_root(config: Any) -> Path:
    return Path(config.config_file_path).resolve().parent


def on_page_markdown(markdown: str, *, page: Any, config: Any, **_: Any) -> str:
    root = project_root(config)
    for included in SNIPPET.finditer(markdown):
        SOURCES.add(Path(included["path"].split(":")[0]).parts[0])
    for marker in MARKER.finditer(markdown):
        SOURCES.update((marker["old"], marker["new"]))
    return MARKER.sub(lambda m: render(m["old"], m["new"], root), markdown)


def on_serve(server: Any, *, config: Any, **_: Any) -> Any:
    # Pages show code from the part folders (and a few others) and diff them:
    # a change there must rebuild the site, just like a change under docs/.
    root = project_root(config)
    docs = Path(config.docs_dir).resolve()
    for name in sorted(SOURCES):
        folder = root / name
        if folder.is_dir() and folder.resolve() != docs:
            server.watch(str(folder))
    return server
