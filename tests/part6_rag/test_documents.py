"""Documents in, chunks out: the contract of /documents."""

import socket

import httpx
import pytest

from part6_rag.chunking import HEADING_SEPARATOR as SEP
from tests.part6_rag.helpers import (
    add_document,
    ready_document,
    unique_word,
    wait_until,
)
from tests.serving import ServerProcess

JSON = {"content-type": "application/json"}
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


def upload(
    http: httpx.Client,
    content: bytes,
    name: str = "notes.md",
    kind: str = "text/markdown",
    **form: str,
) -> httpx.Response:
    return http.post(
        "/documents/files", files={"file": (name, content, kind)}, data=form
    )


def test_an_uploaded_markdown_file_takes_its_first_heading_as_title(
    http: httpx.Client,
) -> None:
    answer = upload(http, b"Intro line.\n\n## The Heading\nBody.")
    assert answer.status_code == 202, answer.text
    document = answer.json()
    assert (document["title"], document["source"]) == ("The Heading", "notes.md")
    wait_until(http, document["id"], "ready")


def test_an_upload_without_a_heading_takes_the_file_name_as_title(
    http: httpx.Client,
) -> None:
    answer = upload(http, b"plain words", name="plain.txt", kind="text/plain")
    assert answer.json()["title"] == "plain.txt"


def test_an_upload_keeps_the_title_it_was_given(http: httpx.Client) -> None:
    answer = upload(http, b"# Heading\ntext", title="My title")
    assert answer.json()["title"] == "My title"


def test_an_octet_stream_upload_is_judged_by_its_extension(http: httpx.Client) -> None:
    accepted = upload(
        http, b"# A\ntext", name="a.markdown", kind="application/octet-stream"
    )
    refused = upload(http, b"# A\ntext", name="a.pdf", kind="application/octet-stream")
    assert (accepted.status_code, refused.status_code) == (202, 415)


def test_an_upload_of_another_type_is_415(http: httpx.Client) -> None:
    answer = upload(http, b"\x89PNG", name="cat.png", kind="image/png")
    assert answer.status_code == 415
    assert "Markdown" in answer.json()["detail"]


def test_an_upload_over_one_mebibyte_is_413(http: httpx.Client) -> None:
    answer = upload(http, b"a" * (1024 * 1024 + 1))
    assert answer.status_code == 413


def test_an_upload_of_exactly_one_mebibyte_is_accepted(http: httpx.Client) -> None:
    answer = upload(http, b"word " * (1024 * 1024 // 5) + b"x")
    assert answer.status_code == 202, answer.text
    http.delete(f"/documents/{answer.json()['id']}")


def test_a_huge_body_is_refused_before_it_is_read_whole(
    app_server: ServerProcess,
) -> None:
    # Chunked, with no Content-Length: the bound holds on the bytes as they
    # come. The client sends 2 MiB of a file it says is larger, then waits:
    # the 413 comes without the rest.
    host, port = app_server.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(
            b"POST /documents/files HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: multipart/form-data; boundary=b\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        part = (
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.md"'
            b"\r\nContent-Type: text/markdown\r\n\r\n"
        )
        connection.sendall(b"%x\r\n%s\r\n" % (len(part), part))
        piece = b"x" * 65536
        for _ in range(32):
            connection.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
        answer = connection.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413")


def test_a_declared_length_over_the_bound_is_refused_at_once(
    http: httpx.Client,
) -> None:
    answer = http.post("/documents", content=b"{}" * 7_000_000, headers=JSON)
    assert answer.status_code == 413


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "empty"),
        (b" \n\t ", "whitespace"),
        (b"\xff\xfe bad", "UTF-8"),
        (b"a\x00b", "NUL"),
    ],
)
def test_an_empty_or_undecodable_upload_is_422(
    http: httpx.Client, content: bytes, problem: str
) -> None:
    answer = upload(http, content)
    assert answer.status_code == 422, answer.text
    assert problem.lower() in answer.text.lower()


@pytest.mark.parametrize(
    "body",
    [
        {"title": "t", "text": ""},
        {"title": "t", "text": "   \n "},
        {"title": "t", "text": "a\x00b"},
        {"title": "", "text": "x"},
        {"title": "t" * 201, "text": "x"},
        {"title": "t", "text": "x", "source": "s" * 2001},
        {"title": "t", "text": "x", "colour": "red"},
        {"title": "t"},
        {"title": "t", "text": 5},
    ],
)
def test_an_invalid_document_is_422(
    http: httpx.Client, body: dict[str, object]
) -> None:
    assert http.post("/documents", json=body).status_code == 422


def test_a_text_over_a_million_characters_is_422(http: httpx.Client) -> None:
    answer = http.post("/documents", json={"title": "t", "text": "a" * 1_000_001})
    assert answer.status_code == 422


def test_the_list_is_newest_first_without_text(http: httpx.Client) -> None:
    first, second = add_document(http, "one"), add_document(http, "two")
    listed = http.get("/documents", params={"limit": 2}).json()
    assert [d["id"] for d in listed] == [second["id"], first["id"]]
    assert all("text" not in d for d in listed)
    next_page = http.get("/documents", params={"offset": 1, "limit": 1}).json()
    assert [d["id"] for d in next_page] == [first["id"]]


@pytest.mark.parametrize("query", [{"offset": -1}, {"limit": 0}, {"limit": 101}])
def test_a_bad_page_is_422(http: httpx.Client, query: dict[str, int]) -> None:
    assert http.get("/documents", params=query).status_code == 422


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_a_missing_document_is_404(http: httpx.Client, method: str) -> None:
    answer = http.request(method, "/documents/999999999")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "Document 999999999 not found"}


def test_reindex_of_a_missing_document_is_404(http: httpx.Client) -> None:
    assert http.post("/documents/999999999/reindex").status_code == 404


def test_a_deleted_document_leaves_search_at_once(http: httpx.Client) -> None:
    word = unique_word()
    document = ready_document(http, f"The {word} is a rare blue bird.")

    def found() -> bool:  # among the best 20: other tests' documents are there too
        hits = http.get("/search", params={"q": word, "k": 20}).json()
        return any(hit["document_id"] == document["id"] for hit in hits)

    assert found()
    assert http.delete(f"/documents/{document['id']}").status_code == 204
    assert not found()
    assert http.get(f"/documents/{document['id']}").status_code == 404


def test_reindex_makes_a_document_ready_again(http: httpx.Client) -> None:
    document = ready_document(http, "# One\nReindex me.")
    answer = http.post(f"/documents/{document['id']}/reindex")
    assert answer.status_code == 202
    assert answer.json()["status"] == "indexing"
    again = wait_until(http, document["id"], "ready")
    assert again["chunks"] == 1
    hits = http.get("/search", params={"q": "Reindex me", "k": 20}).json()
    assert sum(hit["document_id"] == document["id"] for hit in hits) == 1


def test_a_hit_has_the_fields_of_the_contract(http: httpx.Client) -> None:
    word = unique_word()
    document = ready_document(http, f"# Top\n## Sub\n{word} text", source="s.md")
    [hit] = [
        h
        for h in http.get("/search", params={"q": word, "k": 20}).json()
        if h["document_id"] == document["id"]
    ]
    assert hit.keys() == {
        "document_id",
        "title",
        "source",
        "chunk",
        "heading",
        "text",
        "score",
    }
    assert (hit["title"], hit["source"], hit["chunk"]) == (document["title"], "s.md", 0)
    assert hit["heading"] == f"Top{SEP}Sub"


@pytest.mark.parametrize(
    "query", [{}, {"q": ""}, {"q": "x" * 2001}, {"q": "x", "k": 0}, {"q": "x", "k": 21}]
)
def test_a_bad_search_is_422(http: httpx.Client, query: dict[str, str | int]) -> None:
    assert http.get("/search", params=query).status_code == 422


def test_health_reports_the_vector_store(http: httpx.Client) -> None:
    answer = http.get("/health")
    assert answer.json() == {"status": "ok", "database": "ok", "vectors": "ok"}
