"""What the checks of Part 6's exercises share: a document, indexed."""

import secrets
import time
from typing import Any

import httpx


def unique_word() -> str:
    return f"zq{secrets.token_hex(5)}"


def ready_document(api: httpx.Client, text: str, **fields: Any) -> dict[str, Any]:
    """A new document, once the app has indexed it."""
    body = {"title": f"exercise-{secrets.token_hex(4)}", "text": text, **fields}
    response = api.post("/documents", json=body)
    assert response.status_code == 202, f"POST /documents answered {response.text}"
    document_id = response.json()["id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        document: dict[str, Any] = api.get(f"/documents/{document_id}").json()
        if document["status"] == "ready":
            return document
        assert document["status"] == "indexing", f"indexing failed: {document}"
        time.sleep(0.1)
    raise AssertionError(f"document {document_id} is not ready after 60 s")
