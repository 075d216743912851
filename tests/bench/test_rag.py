"""Part 6's retrieval metrics, checked on rankings small enough to count by
hand; the golden set, checked against the chapters as the app chunks them."""

from pathlib import Path

import pytest

from bench import rag

SEP = " \u203a "  # the chunker's separator between headings
CHUNKS = [
    {"file": "part5.md", "heading": f"Part 5{SEP}Step 4: when things go wrong"},
    {"file": "part5.md", "heading": f"Part 5{SEP}Step 3: stream the tokens"},
    {"file": "part1.md", "heading": f"Part 1{SEP}Your first app"},
]


def test_hit_at_k_and_mrr_count_the_first_relevant_rank() -> None:
    rankings = [[0, 1], [2, 1, 0], [1, 2]]  # relevant at rank 1, rank 3, nowhere
    relevant = [{0}, {0}, {0}]
    found = rag.scores(rankings, relevant)
    assert found["hit@1"] == pytest.approx(1 / 3)
    assert found["hit@5"] == pytest.approx(2 / 3)
    assert found["mrr"] == pytest.approx((1 + 1 / 3 + 0) / 3)


def test_fusion_ranks_first_what_both_lists_rank_high() -> None:
    assert rag.fuse([3, 1, 2], [1, 4, 3])[0] == 1  # 2nd and 1st beat 1st and 3rd
    assert set(rag.fuse([1], [2])) == {1, 2}


def test_an_answer_matches_its_file_and_a_piece_of_the_heading_in_any_case() -> None:
    entry = {"a": [{"file": "part5.md", "heading": "WHEN THINGS GO WRONG"}]}
    assert rag.answers(entry, CHUNKS) == {0}
    elsewhere = {"a": [{"file": "part1.md", "heading": "when things go wrong"}]}
    assert rag.answers(elsewhere, CHUNKS) == set()


def test_a_golden_section_no_chunk_has_is_an_error(tmp_path: Path) -> None:
    golden = tmp_path / "golden.yaml"
    golden.write_text(
        "- q: How do I stop a stream?\n"
        "  a: [{file: part5.md, heading: when things go wrong}]\n"
        "- q: A question whose section was renamed?\n"
        "  a: [{file: part5.md, heading: a heading that is gone}]\n"
    )
    with pytest.raises(rag.GoldenError, match="a heading that is gone"):
        rag.load_golden(CHUNKS, golden)


def test_every_golden_section_is_in_the_chapters() -> None:
    chunks = rag.corpus(rag.ROOT / "docs")
    relevant = rag.load_golden(chunks)
    assert len(relevant) >= 40
    assert all(relevant)
