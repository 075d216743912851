"""Count the words a reader sees on a chapter without opening anything.

What counts (the rule is the same for every chapter):

- running text, headings, list items, table cells and tab titles;
- the title and the body of an open admonition (`!!!`, or `???+`, which
  starts unfolded);
- the title of a folded box (`???`): it is the line the reader sees.

What does not count:

- the body of a folded box (`???`): the lines under it indented deeper;
- fenced code blocks (Answer boxes and diagrams included);
- snippet include lines (`--8<-- ...`) and HTML comments;
- a code block's annotations: the numbered list right after a code block
  whose included file carries `(1)!` markers, which the site shows only when
  the reader clicks a marker.

A word is a whitespace-separated token with at least one letter or digit,
after a link's address and HTML tags are dropped; a list's numbers are not
words. From the repository root,
`python -m tests.site.visible_words docs/part3.md` prints one chapter's count.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})")
FOLDED_BOX = re.compile(r"^(\s*)\?\?\?(?!\+)\s")
SNIPPET = re.compile(r"^\s*-{1,2}8<-{1,2}\s")
SNIPPET_TARGET = re.compile(r'-{1,2}8<-{1,2}\s+"([^":]+)')
ANNOTATION_ITEM = re.compile(r"^\d+\.\s")
LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
# An HTML tag: a name right after "<", never a bare "<" as in `a < b` or `x<y`.
TAG = re.compile(r"</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>")
WORD = re.compile(r"\w")
LIST_NUMBER = re.compile(r"^\d+\.$")


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def has_annotations(code_lines: list[str]) -> bool:
    """Whether a code block's included files mark lines with `(1)!`."""
    for line in code_lines:
        match = SNIPPET_TARGET.search(line)
        if match and "(1)!" in (ROOT / match.group(1)).read_text(encoding="utf-8"):
            return True
    return any("(1)!" in line for line in code_lines)


def visible_lines(markdown: str) -> list[str]:
    """The lines of `markdown` that a reader sees with every box folded."""
    lines = markdown.splitlines()
    kept: list[str] = []
    index = 0
    after_annotated_code = False
    while index < len(lines):
        line = lines[index]
        if "<!--" in line:  # an HTML comment, to its end
            while "-->" not in lines[index]:
                index += 1
            index += 1
            continue
        if fence := FENCE.match(line):
            marker = fence.group(2)
            body: list[str] = []
            index += 1
            while index < len(lines) and not lines[index].strip().startswith(marker):
                body.append(lines[index])
                index += 1
            index += 1  # the closing fence
            after_annotated_code = has_annotations(body)
            continue
        if box := FOLDED_BOX.match(line):
            kept.append(line.split('"', 1)[1] if '"' in line else "")
            depth = len(box.group(1))
            index += 1
            while index < len(lines) and (
                not lines[index].strip() or indent_of(lines[index]) > depth
            ):
                index += 1
            after_annotated_code = False
            continue
        if after_annotated_code and (
            ANNOTATION_ITEM.match(line) or not line.strip() or indent_of(line) >= 4
        ):
            index += 1  # the code block's annotations, shown on a click
            continue
        after_annotated_code = False
        if not SNIPPET.match(line):
            kept.append(line)
        index += 1
    return kept


def count_words(text: str) -> int:
    text = TAG.sub(" ", LINK.sub(r"\1", text))
    return sum(
        1
        for token in text.split()
        if WORD.search(token) and not LIST_NUMBER.match(token)
    )


def visible_words(markdown: str) -> int:
    return count_words("\n".join(visible_lines(markdown)))


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(f"{visible_words(Path(name).read_text(encoding='utf-8')):6d}  {name}")
