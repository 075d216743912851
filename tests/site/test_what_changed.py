"""The MkDocs hook that writes each chapter's "what changed" section."""

import importlib.util
import itertools
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

from tests.serving import ROOT

_spec = importlib.util.spec_from_file_location(
    "what_changed", ROOT / "docs" / "hooks" / "what_changed.py"
)
assert _spec is not None and _spec.loader is not None
hook = importlib.util.module_from_spec(_spec)
sys.modules["what_changed"] = hook  # as MkDocs does: dataclasses look it up
_spec.loader.exec_module(hook)

MARKER = "<!-- what-changed: part_a part_b -->"


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            (root / name).write_bytes(content)
        else:
            (root / name).write_text(content)


def build_page(root: Path, markdown: str = MARKER) -> str:
    config = SimpleNamespace(config_file_path=str(root / "mkdocs.yml"))
    return str(hook.on_page_markdown(markdown, page=None, config=config, files=None))


def folded_box(page: str) -> tuple[str, str]:
    """The title line of the page's folded box, and its content dedented."""
    title, blank, *body = page.splitlines(keepends=True)
    assert blank == "\n" and all(line.startswith("    ") for line in body), page
    return title, "".join(line.removeprefix("    ") for line in body)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(tmp_path, {"part_a/main.py": "import os\n\nprint('old')\n"})
    write(tmp_path, {"part_a/store.py": "STORE = {}\n", "part_a/README.md": "# A\n"})
    write(tmp_path, {"part_b/main.py": "import os\n\nprint('new')\n"})
    write(tmp_path, {"part_b/database.py": "ENGINE = None\n", "part_b/README.md": "B"})
    return tmp_path


def test_marker_becomes_a_folded_box_with_a_unified_diff(project: Path) -> None:
    page = build_page(project, f"# Title\n\n{MARKER}\n\nAfter.\n")
    assert page.startswith("# Title\n\n??? abstract") and page.endswith("\nAfter.\n")
    _, content = folded_box(build_page(project))
    assert content.startswith("```diff\n") and content.endswith("```\n")
    assert "--- part_a/main.py\n+++ part_b/main.py\n" in content
    assert "-print('old')\n+print('new')\n" in content
    assert "\n \n" in content  # the blank line between import and print stays


def test_title_counts_files_and_lines_and_new_and_removed_files_show(
    project: Path,
) -> None:
    title, content = folded_box(build_page(project))
    assert title == (
        '??? abstract what-changed "From part_a/ to part_b/: 3 files changed '
        '(1 new, 1 removed), 2 lines added, 2 lines removed"\n'
    )
    assert "--- /dev/null\n+++ part_b/database.py\n" in content
    assert "+ENGINE = None\n" in content
    assert "--- part_a/store.py\n+++ /dev/null\n" in content


def test_readmes_caches_and_databases_are_left_out(project: Path) -> None:
    write(project, {"part_b/__pycache__/main.cpython-311.pyc": b"\x00\xff"})
    write(project, {"part_b/prompts.db": b"SQLite", "part_b/.pytest_cache/x": "x"})
    page = build_page(project)
    for ignored in ("README.md", "__pycache__", "prompts.db", ".pytest_cache"):
        assert ignored not in page


def test_a_changed_line_changes_the_diff_on_the_next_build(project: Path) -> None:
    assert "+print('new')\n" in build_page(project)
    write(project, {"part_b/main.py": "import os\n\nprint('newer')\n"})
    assert "+print('newer')\n" in build_page(project)


def test_identical_folders_say_so(project: Path) -> None:
    page = build_page(project, "<!-- what-changed: part_a part_a -->")
    assert page == "`part_a/` and `part_a/` hold the same code.\n"


def test_fence_is_longer_than_backticks_in_the_code(project: Path) -> None:
    write(project, {"part_b/notes.txt": "use ```python fences\n"})
    assert folded_box(build_page(project))[1].startswith("````diff\n")


def test_binary_files_that_differ_are_named(project: Path) -> None:
    write(
        project,
        {"part_a/logo.png": b"\x89PNG\xff1", "part_b/logo.png": b"\x89PNG\xff2"},
    )
    expected = "Binary files part_a/logo.png and part_b/logo.png differ\n"
    assert expected in folded_box(build_page(project))[1]


def test_missing_folder_fails_the_build(project: Path) -> None:
    with pytest.raises(PluginError, match="part_z"):
        build_page(project, "<!-- what-changed: part_a part_z -->")


def test_serve_watches_the_folders_pages_include_or_compare(tmp_path: Path) -> None:
    write(tmp_path, {"part_a/main.py": "", "part_b/main.py": "", "bench/x.py": ""})
    write(tmp_path, {"docs/index.md": "", "other/main.py": ""})
    build_page(tmp_path, '```python\n--8<-- "bench/x.py:section"\n```\n' + MARKER)
    build_page(tmp_path, '--8<-- "docs/examples/01.sh"\n')
    watched: list[str] = []
    config = SimpleNamespace(
        config_file_path=str(tmp_path / "mkdocs.yml"), docs_dir=str(tmp_path / "docs")
    )
    hook.on_serve(SimpleNamespace(watch=watched.append), config=config, builder=None)
    assert watched == [str(tmp_path / name) for name in ("bench", "part_a", "part_b")]


def test_chapters_compare_each_part_with_the_one_before_except_part_1() -> None:
    # Part 1 and Part 2 are two different apps: a diff would be noise.
    compared = [
        (marker["old"], marker["new"])
        for page in sorted((ROOT / "docs").glob("part*.md"))
        for marker in hook.MARKER.finditer(page.read_text())
    ]
    parts = sorted(p.name for p in ROOT.glob("part[0-9]_*") if p.is_dir())
    written = {page.stem for page in (ROOT / "docs").glob("part*.md")}
    expected = [
        (old, new)
        for old, new in itertools.pairwise(parts[1:])
        if f"part{new[4]}" in written  # the next chapter may not be written yet
    ]
    assert compared == expected
