"""What the exercises' checks stand on: a part's folder, served for real.

A check talks HTTP to the part, so any correct solution passes, not only
ours. By default it serves your folder (`part2_crud/` of this repository).
`make test` checks the repository instead, so that your work on the
exercises never turns it red: with `--solutions` the checks serve a copy of
the part as committed, in a temporary folder, with the chapter's solution
files applied by `git apply` as the chapter prints it; with `--committed`,
the copy alone, on which every exercise must show as not done.
"""

import ast
import io
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.serving import ROOT, ServerProcess, start_server
from tests.site.servers import STORAGE

SOLUTIONS = ROOT / "solutions"


def solution_files(part: str) -> list[Path]:
    """The diffs of a part's solutions, in the order the chapter applies them."""
    return sorted((SOLUTIONS / part).glob("*.diff"))


def committed_copy(part: str, into: Path) -> Path:
    """`into` holding `part` as the repository has it, whatever you changed.

    Outside a git checkout (a downloaded archive), the folder as it is.
    """
    archive = subprocess.run(
        ["git", "archive", "--format=tar", "HEAD", part], cwd=ROOT, capture_output=True
    )
    if archive.returncode == 0:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(into, filter="data")
    else:
        ignored = shutil.ignore_patterns("__pycache__", ".env", "*.db")
        shutil.copytree(ROOT / part, into / part, ignore=ignored)
    return into


def solved_copy(part: str, into: Path) -> Path:
    """`into` holding the committed `part` with every solution applied."""
    committed_copy(part, into)
    # As the chapter prints it: `git apply solutions/<part>/*.diff`.
    diffs = [str(diff) for diff in solution_files(part)]
    if diffs:
        applied = subprocess.run(
            ["git", "apply", *diffs], cwd=into, capture_output=True, text=True
        )
        assert applied.returncode == 0, f"git apply failed:\n{applied.stderr}"
    return into


@contextmanager
def served_part(
    part: str, root: Path, storage: Path, env: dict[str, str] | None = None
) -> Iterator[ServerProcess]:
    """The part in `root`, started as a reader starts it, until the block ends."""
    with STORAGE[part](storage) as part_env:
        server = start_server(
            f"uvicorn {part}.main:app", {**part_env, **(env or {})}, root
        )
        try:
            server.wait_until_up()
            yield server
        finally:
            server.stop()


class CommittedRun:
    """`make exercise`'s checks of every part, run on the committed parts."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.output = ""
        self.returncode: int | None = None

    @classmethod
    def start(cls) -> "CommittedRun":
        folders = sorted(
            {p.parent for p in ROOT.glob("tests/exercises/part*/test_*.py")}
        )
        command = [sys.executable, "-m", "pytest", "-q", "-n", "0", "--tb=no", "-rN"]
        command += ["-p", "no:randomly", "--committed"]
        command += [str(folder.relative_to(ROOT)) for folder in folders]
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        return cls(process)

    def wait(self) -> None:
        if self.returncode is None:
            try:
                self.output, _ = self.process.communicate(timeout=50)
            finally:
                self.process.kill()
            self.returncode = self.process.returncode


COMMITTED_RUN = pytest.StashKey[CommittedRun]()


def _docstring(module_path: Path) -> str:
    tree = ast.parse(module_path.read_text(encoding="utf-8"))
    return ast.get_docstring(tree) or module_path.stem


def exercise_title(module_path: Path) -> str:
    return _docstring(module_path).splitlines()[0]


def exercise_goal(module_path: Path) -> str:
    """The paragraph after the title, on one line."""
    paragraphs = _docstring(module_path).split("\n\n")
    return " ".join(paragraphs[1].split()) if len(paragraphs) > 1 else ""
