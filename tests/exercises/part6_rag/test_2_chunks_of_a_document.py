"""Exercise 2 (medium): show how a document was cut.

`GET /documents/{id}/chunks` lists the document's chunks as search sees
them: `[{"chunk": 0, "heading": "...", "text": "..."}, ...]`, in order, as
many as the document's `chunks` count; a missing document is a `404`.
"""

import httpx

from tests.exercises.part6_rag.helpers import ready_document

TEXT = "# Guide\nIntro.\n## Install\nRun the installer.\n## Use\nOpen the app."


def test_the_chunks_come_in_order_with_their_headings(api: httpx.Client) -> None:
    document = ready_document(api, TEXT)
    response = api.get(f"/documents/{document['id']}/chunks")
    assert response.status_code == 200, f"GET .../chunks answered {response.text}"
    chunks = response.json()
    assert [c["chunk"] for c in chunks] == list(range(document["chunks"])), (
        f"expected chunks 0..{document['chunks'] - 1}, got {chunks}"
    )
    assert [c["text"] for c in chunks] == [
        "Intro.",
        "Run the installer.",
        "Open the app.",
    ]
    assert chunks[1]["heading"].endswith("Install"), chunks[1]


def test_the_chunks_are_what_search_returns(api: httpx.Client) -> None:
    document = ready_document(api, TEXT)
    chunks = api.get(f"/documents/{document['id']}/chunks").json()
    hits = api.get("/search", params={"q": "installer", "k": 20}).json()
    [hit] = [h for h in hits if h["document_id"] == document["id"]][:1]
    assert chunks[hit["chunk"]]["text"] == hit["text"]


def test_a_missing_document_is_404(api: httpx.Client) -> None:
    response = api.get("/documents/999999999/chunks")
    assert response.status_code == 404, (
        f"GET /documents/999999999/chunks answered {response.status_code}, not 404"
    )
