"""Documents in, chunks out: the contract of /documents."""

import httpx

from tests.part6_rag.helpers import (
    add_document,
    ready_document,
    unique_word,
)

FIELDS = {
    "id",
    "title",
    "source",
    "status",
    "error",
    "chunks",
    "characters",
    "embedding_model",
    "created_at",
    "indexed_at",
}


def test_a_new_document_is_accepted_at_once_as_indexing(http: httpx.Client) -> None:
    document = add_document(http, "Some text to index.", source="notes.md")
    assert document.keys() == FIELDS
    assert document["status"] == "indexing"
    assert document["source"] == "notes.md"
    assert document["characters"] == len("Some text to index.")


def test_an_indexed_document_is_ready_with_its_chunk_count(http: httpx.Client) -> None:
    text = "# Title\nFirst part.\n## Section\nSecond part."
    document = ready_document(http, text)
    assert document["chunks"] == 2
    assert document["embedding_model"] == "multilingual-e5-small"
    assert document["indexed_at"] is not None
    assert document["error"] is None
    assert document["text"] == text


def test_search_finds_a_ready_document_by_meaning(http: httpx.Client) -> None:
    word = unique_word()
    ready_document(http, f"# Cats\n{word}: cats sleep most of the day in the sun.")
    ready_document(http, "# Taxes\nThe tax return is due by the end of April.")
    hits = http.get("/search", params={"q": "When do felines nap?", "k": 2}).json()
    assert word in hits[0]["text"]
    assert hits[0]["heading"] == "Cats"
    assert hits[0]["score"] >= hits[1]["score"]
