"""A bound on the size of request bodies, enforced while they arrive.

A client that sends 100 MB to an endpoint that takes 1 MiB gets its 413 as
soon as the bound is passed: the rest is never read, nor held in memory.
"""

from fastapi import HTTPException, status
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimit:
    """ASGI middleware: bodies of requests to `paths` stay under `limits`."""

    def __init__(self, app: ASGIApp, limits: dict[str, int]) -> None:
        self.app = app
        self.limits = limits  # path -> most bytes a body may have

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = (
            self.limits.get(scope.get("path", "")) if scope["type"] == "http" else None
        )
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = declared_length(scope["headers"])
        if declared is not None and declared > limit:
            # Content-Length says it already: answer before reading a byte.
            refusal = too_large(limit)
            answer = JSONResponse({"detail": refusal.detail}, refusal.status_code)
            await answer(scope, receive, send)
            return
        received = 0

        async def bounded() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised inside the endpoint's reading of its body:
                    # FastAPI answers it as any HTTPException.
                    raise too_large(limit)
            return message

        await self.app(scope, bounded, send)


def too_large(limit: int) -> HTTPException:
    return HTTPException(
        status.HTTP_413_CONTENT_TOO_LARGE, f"The body is over {limit:,} bytes"
    )


def declared_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
