"""What the exercises' checks stand on: a part's folder, served for real.

A check talks HTTP to the part, so any correct solution passes, not only
ours. By default it serves your folder (`part2_crud/` of this repository).
With `--solutions` it serves a copy of the part, in a temporary folder, with
the chapter's solution files applied in order by `git apply`, the command the
chapter prints.

Public interface, for the checks of each part:

- `served_part(part, root, storage, env)`: a context manager that starts
  `uvicorn <part>.main:app` from `root` with the storage of the site's servers
  (a fresh SQLite file, a throwaway MySQL database, a quick fake model) and
  `env` on top, and yields the `ServerProcess` once it answers.
- `solved_copy(part, into)`: copies the part into `into` and applies
  `solutions/<part>/*.diff`; returns `into`.
- `exercise_title(module_path)` and `exercise_goal(module_path)`: the first
  line and the first paragraph after it of a check module's docstring.
"""

import ast
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.serving import ROOT, ServerProcess, start_server
from tests.site.servers import STORAGE

SOLUTIONS = ROOT / "solutions"


def solution_files(part: str) -> list[Path]:
    """The diffs of a part's solutions, in the order the chapter applies them."""
    return sorted((SOLUTIONS / part).glob("*.diff"))


def solved_copy(part: str, into: Path) -> Path:
    """`into` holding a copy of `part` with every solution applied."""
    shutil.copytree(
        ROOT / part, into / part, ignore=shutil.ignore_patterns("__pycache__", ".env")
    )
    for diff in solution_files(part):
        applied = subprocess.run(
            ["git", "apply", str(diff)], cwd=into, capture_output=True, text=True
        )
        if applied.returncode != 0:
            raise AssertionError(
                f"git apply {diff.relative_to(ROOT)} failed:\n{applied.stderr}"
            )
    return into


@contextmanager
def served_part(
    part: str, root: Path, storage: Path, env: dict[str, str] | None = None
) -> Iterator[ServerProcess]:
    """The part in `root`, started as a reader starts it, until the block ends."""
    with STORAGE[part](storage) as part_env:
        server = start_server(f"uvicorn {part}.main:app", {**part_env, **(env or {})}, root)
        try:
            server.wait_until_up()
            yield server
        finally:
            server.stop()


def _docstring(module_path: Path) -> str:
    tree = ast.parse(module_path.read_text(encoding="utf-8"))
    return ast.get_docstring(tree) or module_path.stem


def exercise_title(module_path: Path) -> str:
    return _docstring(module_path).splitlines()[0]


def exercise_goal(module_path: Path) -> str:
    """The paragraph after the title, on one line."""
    paragraphs = _docstring(module_path).split("\n\n")
    return " ".join(paragraphs[1].split()) if len(paragraphs) > 1 else ""
