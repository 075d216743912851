"""Part 5's app, with FastAPI's keep-alive comment after 0.3 s of silence.

FastAPI sends it after 15 s; a test should not wait that long to see one.
"""

import fastapi.routing

fastapi.routing._PING_INTERVAL = 0.3  # private, and meant to be set by tests

from part5_llm.main import app  # noqa: E402

__all__ = ["app"]
