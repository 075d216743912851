"""Each part's OpenAPI document, compared with a snapshot kept in the repo.

`/openapi.json` is the API as clients see it: every path, model, field rule
and status code. Keeping a copy beside each chapter's tests means any change
to it, intended or not, shows up as a failing test with a diff to read.

`assert_matches_snapshot(client, snapshot)` fetches the document through the
chapter's TestClient and compares it with the stored file. What the snapshot
holds must be served unchanged; what the app serves beyond it (a query
parameter, an endpoint or a field added by one of the chapter's exercises) is
allowed, so that a reader's finished exercises keep the chapter's tests green. Run with
`UPDATE_SNAPSHOTS=1` to rewrite the file from what the app serves instead;
a missing snapshot fails unless it is being recorded that way.
"""

import difflib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.serving import ROOT


def snapshot_text(document: Any) -> str:
    """The stored form: sorted keys and a stable layout, so diffs stay small."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def without_additions(served: Any, stored: Any) -> Any:
    """`served`, less the keys and list items that `stored` does not have.

    A list keeps its served order; an item that `stored` lacks is dropped
    only from lists of objects (parameters, schemas in `anyOf`), never from
    lists of names such as `required`, where an addition changes the API.
    """
    if isinstance(served, dict) and isinstance(stored, dict):
        return {
            key: without_additions(value, stored[key])
            for key, value in served.items()
            if key in stored
        }
    objects = isinstance(served, list) and isinstance(stored, list)
    if objects and all(isinstance(item, dict) for item in served):
        return [
            without_additions(item, match)
            for item in served
            if (match := next((s for s in stored if _same_item(item, s)), None))
        ]
    return served


def _same_item(served: dict[str, Any], stored: dict[str, Any]) -> bool:
    """Parameters match by name and place; other objects by their content."""
    if "name" in stored and "in" in stored:
        return (served.get("name"), served.get("in")) == (stored["name"], stored["in"])
    return without_additions(served, stored) == stored


def assert_matches_snapshot(client: TestClient, snapshot: Path) -> None:
    """Fail with a unified diff when the app's OpenAPI document has changed."""
    response = client.get("/openapi.json")
    assert response.status_code == 200, response.text
    name = snapshot.resolve().relative_to(ROOT)
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        snapshot.write_text(
            snapshot_text(response.json()), encoding="utf-8", newline="\n"
        )
        return
    if not snapshot.exists():
        pytest.fail(
            f"{name} is missing; record it with UPDATE_SNAPSHOTS=1", pytrace=False
        )
    stored = snapshot.read_text(encoding="utf-8")
    served = snapshot_text(without_additions(response.json(), json.loads(stored)))
    if served != stored:
        diff = difflib.unified_diff(
            stored.splitlines(keepends=True),
            served.splitlines(keepends=True),
            fromfile=f"{name} (stored)",
            tofile="/openapi.json (served now)",
        )
        pytest.fail(
            f"the OpenAPI document no longer matches {name}:\n{''.join(diff)}\n"
            "If the change is intended, rerun with UPDATE_SNAPSHOTS=1 and read "
            "the new snapshot with `git diff` before you keep it.",
            pytrace=False,
        )
