"""The MkDocs hook that writes each chapter's "what changed" section."""

import importlib.util
import itertools
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

from tests.serving import ROOT


def load_hook() -> ModuleType:
    path = ROOT / "docs" / "hooks" / "what_changed.py"
    spec = importlib.util.spec_from_file_location("what_changed", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # as MkDocs does: dataclasses look it up
    spec.loader.exec_module(module)
    return module


hook = load_hook()


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)


def build_page(root: Path, markdown: str) -> str:
    config = SimpleNamespace(config_file_path=str(root / "mkdocs.yml"))
    result: str = hook.on_page_markdown(markdown, page=None, config=config, files=None)
    return result


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(
        tmp_path,
        {
            "part_a/main.py": "import os\n\nprint('old')\n",
            "part_a/store.py": "STORE = {}\n",
            "part_a/README.md": "# Part A\n",
            "part_b/main.py": "import os\n\nprint('new')\n",
            "part_b/database.py": "ENGINE = None\n",
            "part_b/README.md": "# Part B\n",
        },
    )
    return tmp_path


MARKER = "<!-- what-changed: part_a part_b -->"


def folded_box(page: str) -> tuple[str, str]:
    """The title line of the page's folded box, and its content dedented."""
    title, blank, *body = page.splitlines(keepends=True)
    assert blank == "\n", page
    assert all(line.startswith("    ") for line in body), page
    return title, "".join(line.removeprefix("    ") for line in body)


def test_marker_becomes_a_folded_box_with_a_unified_diff(project: Path) -> None:
    page = build_page(project, MARKER)
    assert MARKER not in page
    title, content = folded_box(page)
    # `???` is pymdownx.details: a box that opens only when the reader clicks.
    assert title.startswith('??? abstract what-changed "From part_a/ to part_b/: ')
    assert content.startswith("```diff\n") and content.endswith("```\n")
    assert "--- part_a/main.py\n+++ part_b/main.py\n" in content
    assert "-print('old')\n+print('new')\n" in content


def test_text_around_the_marker_stays(project: Path) -> None:
    page = build_page(project, f"# Title\n\n{MARKER}\n\nAfter.\n")
    assert page.startswith("# Title\n\n??? abstract") and page.endswith("\nAfter.\n")


def test_new_and_removed_files_are_shown(project: Path) -> None:
    _, content = folded_box(build_page(project, MARKER))
    assert "--- /dev/null\n+++ part_b/database.py\n" in content
    assert "+ENGINE = None\n" in content
    assert "--- part_a/store.py\n+++ /dev/null\n" in content


def test_summary_in_the_title_counts_files_and_lines(project: Path) -> None:
    title, _ = folded_box(build_page(project, MARKER))
    assert title == (
        '??? abstract what-changed "From part_a/ to part_b/: 3 files changed '
        '(1 new, 1 removed), 2 lines added, 2 lines removed"\n'
    )


def test_blank_lines_of_the_code_stay_inside_the_box(project: Path) -> None:
    # An unindented blank line would not end the box, but the diff's own
    # context line for an empty line must stay a diff line.
    _, content = folded_box(build_page(project, MARKER))
    assert "\n \n" in content  # the empty line between `import os` and print


def test_readmes_caches_and_databases_are_ignored(project: Path) -> None:
    write(
        project,
        {
            "part_b/__pycache__/main.cpython-311.pyc": b"\x00\xff",
            "part_b/prompts.db": b"SQLite format 3\x00",
            "part_b/.pytest_cache/README.md": "cache\n",
        },
    )
    page = build_page(project, MARKER)
    for ignored in ("README.md", "__pycache__", "prompts.db", ".pytest_cache"):
        assert ignored not in page


def test_snippet_section_markers_are_left_out(project: Path) -> None:
    write(
        project,
        {
            "part_b/store.py": (
                "# --8<-- [start:store]\nSTORE = {}\n    # --8<-- [end:store]\n"
            )
        },
    )
    page = build_page(project, MARKER)
    assert "part_b/store.py" not in page
    assert "8<" not in page


def test_a_changed_line_changes_the_diff_on_the_next_build(project: Path) -> None:
    before = build_page(project, MARKER)
    write(project, {"part_b/main.py": "import os\n\nprint('newer')\n"})
    after = build_page(project, MARKER)
    assert "+print('new')\n" in before
    assert "+print('newer')\n" in after


def test_identical_folders_say_so(project: Path) -> None:
    page = build_page(project, "<!-- what-changed: part_a part_a -->")
    assert page == "`part_a/` and `part_a/` hold the same code.\n"


def test_fence_is_longer_than_backticks_in_the_code(project: Path) -> None:
    write(project, {"part_b/notes.txt": "use ```python fences\n"})
    _, content = folded_box(build_page(project, MARKER))
    assert content.startswith("````diff\n")


def test_binary_files_that_differ_are_named(project: Path) -> None:
    write(
        project,
        {"part_a/logo.png": b"\x89PNG\xff1", "part_b/logo.png": b"\x89PNG\xff2"},
    )
    _, content = folded_box(build_page(project, MARKER))
    assert "Binary files part_a/logo.png and part_b/logo.png differ\n" in content


def test_missing_folder_fails_the_build(project: Path) -> None:
    with pytest.raises(PluginError, match="part_z"):
        build_page(project, "<!-- what-changed: part_a part_z -->")


def test_serve_watches_the_folders_pages_include_or_compare(tmp_path: Path) -> None:
    write(tmp_path, {"part_a/main.py": "", "part_b/main.py": "", "bench/x.py": ""})
    write(tmp_path, {"docs/index.md": "", "other/main.py": ""})
    build_page(tmp_path, '```python\n--8<-- "bench/x.py:section"\n```\n' + MARKER)
    build_page(tmp_path, '--8<-- "docs/examples/01.sh"\n')
    watched: list[str] = []
    server = SimpleNamespace(watch=watched.append)
    config = SimpleNamespace(
        config_file_path=str(tmp_path / "mkdocs.yml"), docs_dir=str(tmp_path / "docs")
    )
    hook.on_serve(server, config=config, builder=None)
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


@pytest.mark.parametrize(
    "chapter",
    sorted((ROOT / "docs").glob("part[3-9].md")),
    ids=lambda path: path.name,
)
def test_each_chapter_after_part_2_compares_itself_with_the_part_before(
    chapter: Path,
) -> None:
    number = int(chapter.stem.removeprefix("part"))
    # Exactly one marker, naming the part before and this one.
    ((old, new),) = hook.MARKER.findall(chapter.read_text(encoding="utf-8"))
    assert (old.split("_")[0], new.split("_")[0]) == (
        f"part{number - 1}",
        f"part{number}",
    )
    assert (ROOT / old).is_dir() and (ROOT / new).is_dir()
