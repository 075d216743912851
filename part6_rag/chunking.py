"""Split a Markdown or plain-text document into chunks for search.

A chunk is what search finds and what an answer cites, so it should hold one
idea with the words that name it. The splitter follows the document's own
structure before it counts characters:

1. Headings (`#` to `######`, not inside a fenced code block) cut the text
   into sections. Each chunk records the headings above it as one path,
   joined by `HEADING_SEPARATOR` ("Part 5", then "Step 3", gives one string
   with an angle quote between them), which search shows and the embedding
   reads.
2. Inside a section, blank lines cut it into paragraphs; a fenced code block
   stays one paragraph, whatever blank lines it holds.
3. Paragraphs are packed into chunks of at most `MAX_CHARS` characters. A
   paragraph longer than that is cut at sentence ends, or at spaces, and at
   worst anywhere, into pieces that leave room for the overlap.
4. A chunk that follows another in the same section starts with its last
   lines, at most `OVERLAP_CHARS` (from a word when one long line fills
   that window), so a sentence that the bound cut in two is whole in one of
   the two chunks. The overlap starts at a line, never inside a code block:
   a chunk never begins in the middle of a fence.

Why these numbers. The offline model (multilingual-e5-small) reads at most
512 tokens and drops the rest; English prose is about four characters a
token and code about two and a half, so 600 characters (150 to 240 tokens)
always fit whole, with room for the title and heading path in front. Twice
that would still fit, and was what we tried first, but on the tutorial's
golden questions (bench/golden.yaml) smaller chunks found the answering
passage more often: a 600-character chunk holds one idea, so its vector is
not an average of two (docs/performance.md, Part 6, has the numbers). The
overlap, 100 characters, is a line or two: enough to keep a sentence cut at
the bound whole somewhere, little enough (a sixth of a chunk) not to make
search return the same text twice. Sections never overlap: a heading starts
a new idea, and the heading path carries the context.
"""

import re
from dataclasses import dataclass

MAX_CHARS = 600
OVERLAP_CHARS = 100
HEADING_SEPARATOR = " \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} "
# A piece of a paragraph too long for one chunk: small enough that the
# overlap and the blank line before it still fit.
_PIECE_CHARS = MAX_CHARS - OVERLAP_CHARS - 2

_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```+|~~~+)")
# A heading's trailing `###` and an attribute list such as `{ #anchor }`.
_HEADING_TAIL = re.compile(r"(?:[ \t]+#+)?(?:[ \t]*\{[^}]*\})?[ \t]*$")
_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+")


@dataclass(frozen=True)
class Chunk:
    number: int  # its place in the document, from 0
    heading: str  # the headings above it, "" when none
    text: str


def split(text: str) -> list[Chunk]:
    """The document's chunks, in reading order."""
    chunks: list[Chunk] = []
    for heading, paragraphs in _sections(text):
        for body in _pack(paragraphs):
            chunks.append(Chunk(number=len(chunks), heading=heading, text=body))
    return chunks


def _sections(text: str) -> list[tuple[str, list[str]]]:
    """(heading path, paragraphs) for each part of the text under a heading."""
    sections: list[tuple[str, list[str]]] = []
    path: list[tuple[int, str]] = []  # (level, title) of the open headings
    paragraphs: list[str] = []
    lines: list[str] = []
    fence: str | None = None

    def end_paragraph() -> None:
        paragraph = "\n".join(lines).strip("\n")
        if paragraph.strip():
            paragraphs.append(paragraph)
        lines.clear()

    def end_section() -> None:
        end_paragraph()
        if paragraphs:
            heading = HEADING_SEPARATOR.join(title for _, title in path)
            sections.append((heading, paragraphs.copy()))
        paragraphs.clear()

    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        fence_mark = _FENCE.match(line)
        if fence is not None:
            lines.append(line)
            if fence_mark and fence_mark.group(1)[0] == fence[0]:
                fence = None
            continue
        if fence_mark:
            fence = fence_mark.group(1)
            lines.append(line)
            continue
        heading = _HEADING.match(line)
        if heading:
            end_section()
            level = len(heading.group(1))
            title = _HEADING_TAIL.sub("", heading.group(2)).strip()
            path = [(lvl, t) for lvl, t in path if lvl < level]
            if title:
                path.append((level, title))
        elif line.strip():
            lines.append(line.rstrip())
        else:
            end_paragraph()
    end_section()
    return sections


def _pack(paragraphs: list[str]) -> list[str]:
    """Paragraphs packed into texts of at most MAX_CHARS, each after the first
    starting with the tail of the one before."""
    pieces = [piece for p in paragraphs for piece in _cut(p)]
    chunks: list[str] = []
    current = ""
    # Every piece fits in a chunk (_cut), so `current` always holds one.
    for piece in pieces:
        candidate = f"{current}\n\n{piece}" if current else piece
        if len(candidate) <= MAX_CHARS:
            current = candidate
            continue
        chunks.append(current)
        overlap = _tail(current)
        candidate = f"{overlap}\n\n{piece}" if overlap else piece
        current = candidate if len(candidate) <= MAX_CHARS else piece
    if pieces:
        chunks.append(current)
    return chunks


def _cut(paragraph: str) -> list[str]:
    """A paragraph as pieces that fit in a chunk: whole if it fits, else cut
    at sentence ends, then at spaces, then anywhere, into pieces small enough
    to follow an overlap."""
    if len(paragraph) <= MAX_CHARS:
        return [paragraph]
    pieces: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(paragraph):
        for part in _hard_cut(sentence):
            candidate = f"{current} {part}" if current else part
            if len(candidate) <= _PIECE_CHARS:
                current = candidate
            else:
                pieces.append(current)
                current = part
    if current:
        pieces.append(current)
    return pieces


def _hard_cut(sentence: str) -> list[str]:
    """A sentence as pieces of at most _PIECE_CHARS, cut at spaces if it has any."""
    pieces: list[str] = []
    while len(sentence) > _PIECE_CHARS:
        cut = sentence.rfind(" ", 0, _PIECE_CHARS + 1)
        if cut <= 0:
            cut = _PIECE_CHARS
        pieces.append(sentence[:cut].rstrip())
        sentence = sentence[cut:].lstrip()
    if sentence:
        pieces.append(sentence)
    return pieces


def _tail(text: str) -> str:
    """The end of a text, at most OVERLAP_CHARS, for the next chunk to start
    with: from the first line in that window that is not inside a code block
    (from a word when the window holds no line start), "" when none is."""
    start = max(len(text) - OVERLAP_CHARS, 0)
    fence: str | None = None
    position = 0
    in_code = False  # is the line that holds `start` a fence, or inside one?
    for line in text.split("\n"):
        if position >= start and fence is None and line.strip():
            return text[position:]
        mark = _FENCE.match(line)
        if position <= start <= position + len(line):
            in_code = fence is not None or mark is not None
        if fence is None and mark:
            fence = mark.group(1)
        elif fence is not None and mark and mark.group(1)[0] == fence[0]:
            fence = None
        position += len(line) + 1
    if in_code:
        return ""
    space = text.find(" ", start)
    return text[space + 1 :] if space != -1 else ""
