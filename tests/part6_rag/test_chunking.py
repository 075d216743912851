"""The splitter: chunks follow headings and paragraphs, stay within the size
bound, and overlap only inside a section."""

from part6_rag.chunking import HEADING_SEPARATOR as SEP
from part6_rag.chunking import MAX_CHARS, OVERLAP_CHARS, split

LONG_PARAGRAPH = " ".join(f"Sentence number {i} says one thing." for i in range(200))


def test_a_text_without_headings_is_one_chunk_with_an_empty_heading():
    [chunk] = split("One paragraph.\n\nAnother one.")
    assert (chunk.number, chunk.heading) == (0, "")
    assert chunk.text == "One paragraph.\n\nAnother one."


def test_empty_or_blank_text_has_no_chunks():
    assert split("") == []
    assert split("\n\n  \n") == []


def test_the_separator_is_the_one_of_the_contract():
    assert SEP == " \u203a "


def test_each_chunk_carries_the_path_of_headings_above_it():
    text = "# Part 5\nIntro.\n## Step 3\nThree.\n### Detail\nDeep.\n## Step 4\nFour."
    assert [(c.heading, c.text) for c in split(text)] == [
        ("Part 5", "Intro."),
        (f"Part 5{SEP}Step 3", "Three."),
        (f"Part 5{SEP}Step 3{SEP}Detail", "Deep."),
        (f"Part 5{SEP}Step 4", "Four."),
    ]


def test_chunks_are_numbered_from_zero_in_reading_order():
    chunks = split("# A\none\n# B\ntwo\n# C\nthree")
    assert [c.number for c in chunks] == [0, 1, 2]


def test_heading_decorations_are_left_out_of_the_path():
    [chunk] = split("## Step 1: set up ## { #step-1 }\nBody.")
    assert chunk.heading == "Step 1: set up"


def test_a_hash_line_inside_a_code_block_is_not_a_heading():
    text = "# Real\n```bash\n# a shell comment\n\necho hi\n```\n"
    [chunk] = split(text)
    assert chunk.heading == "Real"
    assert chunk.text == "```bash\n# a shell comment\n\necho hi\n```"


def test_windows_line_endings_split_like_unix_ones():
    assert split("# A\r\none\r\n\r\ntwo") == split("# A\none\n\ntwo")


def test_no_chunk_is_longer_than_the_bound():
    text = "# Long\n" + "\n\n".join([LONG_PARAGRAPH, "x" * 3000, "short"] * 3)
    chunks = split(text)
    assert len(chunks) > 5
    assert max(len(c.text) for c in chunks) <= MAX_CHARS


def test_short_paragraphs_are_packed_together():
    paragraphs = [f"Paragraph {i} is short." for i in range(10)]
    [chunk] = split("\n\n".join(paragraphs))
    assert chunk.text == "\n\n".join(paragraphs)


def test_a_chunk_after_the_first_of_a_section_starts_with_the_end_of_the_last():
    first, second = split(LONG_PARAGRAPH)[:2]
    overlap = second.text.split("\n\n")[0]
    assert 0 < len(overlap) <= OVERLAP_CHARS
    assert first.text.endswith(overlap)


def test_a_word_longer_than_a_chunk_is_cut_anywhere_and_not_repeated():
    chunks = split("y" * 5000)
    assert len(chunks) > 1
    assert "".join(c.text.replace("\n\n", "") for c in chunks) == "y" * 5000


def test_the_overlap_starts_at_a_line_of_the_chunk_before():
    wrapped = "\n".join(f"Line {i} of a wrapped paragraph, forty." for i in range(3))
    first, second = split("\n\n".join([wrapped] * 8))[:2]
    overlap = second.text.split("\n\n")[0]
    assert 0 < len(overlap) <= OVERLAP_CHARS
    assert first.text.endswith("\n" + overlap)
    assert overlap.startswith("Line ")


def test_the_overlap_never_starts_inside_a_code_block():
    prose = "\n\n".join(f"Paragraph {i} explains one more thing." for i in range(11))
    code = "```python\n" + "\n".join(f"x{i} = {i}" for i in range(12)) + "\n```"
    chunks = split(f"{prose}\n\n{code}\n\nAfter the code.\n\n" + "z " * 200)
    for chunk in chunks[1:]:
        assert not chunk.text.startswith("x"), chunk.text
        assert chunk.text.count("```") % 2 == 0, chunk.text


def test_sections_do_not_overlap():
    _, b = split("# A\nAlpha text.\n# B\nBeta text.")
    assert "Alpha" not in b.text


def test_every_sentence_of_a_long_paragraph_is_kept():
    chunks = split(LONG_PARAGRAPH)
    joined = " ".join(c.text for c in chunks)
    for i in range(200):
        assert f"Sentence number {i} says one thing." in joined


def test_a_chunk_that_ends_in_a_code_block_passes_no_overlap_on():
    code = "```python\n" + "\n".join(f"x{i} = {i}" for i in range(14)) + "\n```"
    _, after = split(f"Intro.\n\n{code}\n\n" + "z " * 250)
    assert after.text.startswith("z z")


def test_a_long_sentence_without_punctuation_is_cut_between_words():
    chunks = split("alphabet " * 200)
    assert len(chunks) > 1
    for chunk in chunks:
        assert set(chunk.text.split()) == {"alphabet"}, chunk.text


def test_a_heading_with_no_words_closes_the_sections_below_its_level():
    text = "# A\n## B\nUnder B.\n## {#anchor}\nUnder A again."
    assert [c.heading for c in split(text)] == [f"A{SEP}B", "A"]
