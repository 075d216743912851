"""Exercise 1 (easy): search inside one document.

`GET /search?q=...&document_id=N` returns only hits of document N, still the
best first and at most `k` of them; a document with no chunk (or none at
all) gives `[]`, and an id that is not a positive integer is a `422`.
Without `document_id`, search is what it was.
"""

import httpx

from tests.exercises.part6_rag.helpers import ready_document, unique_word


def search(api: httpx.Client, **params: str | int) -> list[dict[str, object]]:
    response = api.get("/search", params=params)
    assert response.status_code == 200, f"GET /search?{params} answered {response.text}"
    return list(response.json())


def test_only_hits_of_the_document_come_back(api: httpx.Client) -> None:
    word = unique_word()
    wanted = ready_document(api, f"# Kept\n{word} lives in the first document.")
    other = ready_document(api, f"# Other\n{word} lives in the second one too.")
    hits = search(api, q=word, k=20, document_id=wanted["id"])
    found = {hit["document_id"] for hit in hits}
    assert found == {wanted["id"]}, (
        f"GET /search?document_id={wanted['id']} returned hits of {found}"
    )
    assert other["id"] in {h["document_id"] for h in search(api, q=word, k=20)}, (
        "GET /search without document_id should still find every document"
    )


def test_k_still_bounds_the_hits(api: httpx.Client) -> None:
    text = "\n".join(f"# Part {n}\nSection {n} of a long text." for n in range(4))
    document = ready_document(api, text)
    hits = search(api, q="section", k=2, document_id=document["id"])
    assert len(hits) == 2, f"k=2 returned {len(hits)} hits"


def test_a_document_that_does_not_exist_gives_no_hit(api: httpx.Client) -> None:
    assert search(api, q="anything", document_id=999_999_999) == []


def test_an_id_that_is_not_a_positive_integer_is_422(api: httpx.Client) -> None:
    for bad in ("0", "-1", "one"):
        response = api.get("/search", params={"q": "x", "document_id": bad})
        assert response.status_code == 422, (
            f"GET /search?document_id={bad} answered {response.status_code}, not 422"
        )
