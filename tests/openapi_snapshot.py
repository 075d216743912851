"""Each part's OpenAPI document, compared with a snapshot kept in the repo.

`/openapi.json` is the API as clients see it: every path, model, field rule
and status code. Keeping a copy beside each chapter's tests means any change
to it, intended or not, shows up as a failing test with a diff to read.

`assert_matches_snapshot(client, snapshot)` fetches the document through the
chapter's TestClient and compares it with the stored file. Run with
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


def assert_matches_snapshot(client: TestClient, snapshot: Path) -> None:
    """Fail with a unified diff when the app's OpenAPI document has changed."""
    response = client.get("/openapi.json")
    assert response.status_code == 200, response.text
    served = snapshot_text(response.json())
    name = snapshot.resolve().relative_to(ROOT)
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        snapshot.write_text(served, encoding="utf-8", newline="\n")
        return
    if not snapshot.exists():
        pytest.fail(
            f"{name} is missing; record it with UPDATE_SNAPSHOTS=1", pytrace=False
        )
    stored = snapshot.read_text(encoding="utf-8")
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
