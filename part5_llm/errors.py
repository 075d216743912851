"""How the prompt library answers when something goes wrong.

The endpoints raise the errors of the API itself (404, 409) with the helpers
below. `register_error_handlers` makes every other failure a JSON answer too:
a database that went away becomes a 503 the client may retry, and a bug a 500
that tells it nothing about our internals.
"""

import logging
from typing import Any

from fastapi import FastAPI, HTTPException, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from .database import describe, is_lock_conflict, is_unavailable
from .models import ErrorMessage

logger = logging.getLogger(__name__)

# For `responses=` on a route: the status codes /docs lists beside the 200.
DATABASE_DOWN: dict[int | str, dict[str, Any]] = {
    503: {
        "model": ErrorMessage,
        "description": "The database is unavailable; try again shortly",
    }
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorMessage, "description": "No prompt has this id"}
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {
        "model": ErrorMessage,
        "description": "Another prompt already has this name, or a concurrent "
        "change to the same prompt got in the way",
    }
}

# FastAPI's own 400, for a body it cannot even decode: routes with a body list it.
BAD_BODY: dict[int | str, dict[str, Any]] = {
    400: {
        "model": ErrorMessage,
        "description": "The body cannot be decoded (not UTF-8, or nested too deep)",
    }
}


# The model provider's failures, as the contract maps them (llm.py).
PROVIDER_FAILED: dict[int | str, dict[str, Any]] = {
    502: {
        "model": ErrorMessage,
        "description": "The model provider refused the request (bad key or model)",
    },
    503: {
        "model": ErrorMessage,
        "description": "The model provider, or the database, is rate-limiting or "
        "unavailable; try again after Retry-After seconds",
    },
    504: {
        "model": ErrorMessage,
        "description": "The model provider did not answer within LLM_TIMEOUT_S",
    },
}
RUN_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorMessage, "description": "No run has this id"}
}


def in_json(
    responses: dict[int | str, dict[str, Any]],
) -> dict[int | str, dict[str, Any]]:
    """The same errors, for a route whose own answer is an event stream.

    FastAPI documents a `model` in the route's own media type; these errors
    come before the stream starts, as JSON, and say so.
    """
    return {
        code: {
            "description": response["description"],
            "content": {
                "application/json": {
                    "schema": {"$ref": f"#/components/schemas/{ErrorMessage.__name__}"}
                }
            },
        }
        for code, response in responses.items()
    }


def not_found(prompt_id: int) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"Prompt {prompt_id} not found")


def run_not_found(run_id: int) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"Run {run_id} not found")


def name_taken(name: str) -> HTTPException:
    return HTTPException(
        status.HTTP_409_CONFLICT, f"A prompt named {name!r} already exists"
    )


def register_error_handlers(app: FastAPI) -> None:
    """Answer invalid input, outages and bugs in JSON; main.py calls this once."""

    @app.exception_handler(RequestValidationError)
    async def invalid_request(
        request: Request, exc: RequestValidationError
    ) -> JSONResponse:
        # FastAPI's own answer echoes each bad input back, and NaN or Infinity
        # cannot be written as JSON: the echo would crash. Leave the input out.
        errors = [{k: v for k, v in e.items() if k != "input"} for e in exc.errors()]
        return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)

    @app.exception_handler(SQLAlchemyError)
    async def database_error(request: Request, exc: SQLAlchemyError) -> JSONResponse:
        where = f"{request.method} {request.url.path}"
        if is_unavailable(exc):
            logger.warning("Database unavailable on %s: %s", where, describe(exc))
            return JSONResponse(
                {"detail": "Database unavailable, try again shortly"},
                status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
                headers={"Retry-After": "5"},
            )
        if is_lock_conflict(exc):
            # Not an outage: InnoDB gave up on this transaction so that another
            # one could finish. Nothing was written; the client may try again.
            logger.warning("Lock conflict on %s: %s", where, describe(exc))
            conflict = "A concurrent change to this prompt got in the way, try again"
            return JSONResponse({"detail": conflict}, status_code=409)
        return await unexpected_error(request, exc)  # any other error is a bug

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
        # The traceback goes to the server log; the client gets JSON, no internals.
        logger.exception("Unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "Internal server error"}, status_code=500)
