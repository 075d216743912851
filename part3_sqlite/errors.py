"""How the prompt library answers when something goes wrong.

The endpoints raise the errors of the API itself (404, 409) with the helpers
below. `register_error_handlers` makes every other failure a JSON answer too,
one the client can read and that tells it nothing about our internals.
"""

import logging
from typing import Any

from fastapi import FastAPI, HTTPException, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from .models import ErrorMessage

logger = logging.getLogger(__name__)
# For `responses=` on a route: the status codes /docs lists beside the 200.
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorMessage, "description": "No prompt has this id"}
}
NAME_TAKEN: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorMessage, "description": "Another prompt already has this name"}
}

# FastAPI's own 400, for a body it cannot even decode: routes with a body list it.
BAD_BODY: dict[int | str, dict[str, Any]] = {
    400: {
        "model": ErrorMessage,
        "description": "The body cannot be decoded (not UTF-8, or nested too deep)",
    }
}


def not_found(prompt_id: int) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"Prompt {prompt_id} not found")


def name_taken(name: str) -> HTTPException:
    return HTTPException(
        status.HTTP_409_CONFLICT, f"A prompt named {name!r} already exists"
    )


def register_error_handlers(app: FastAPI) -> None:
    """Answer invalid input and unexpected bugs in JSON; main.py calls this once."""

    @app.exception_handler(RequestValidationError)
    async def invalid_request(
        request: Request, exc: RequestValidationError
    ) -> JSONResponse:
        # FastAPI's own answer echoes each bad input back, and NaN or Infinity
        # cannot be written as JSON: the echo would crash. Leave the input out.
        errors = [{k: v for k, v in e.items() if k != "input"} for e in exc.errors()]
        return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
        # The traceback goes to the server log; the client gets JSON, no internals.
        logger.exception("Unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "Internal server error"}, status_code=500)
