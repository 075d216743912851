"""The model provider: one client for any OpenAI-compatible API.

The official `openai` SDK talks to OpenAI, Ollama, vLLM or the fake provider
alike; only the base URL and the key change. It also retries, backs off and
times out for us. This module adds what its failures mean to our clients.
New in Part 6: the embedder, the same SDK's `embeddings.create`, in batches.
"""

import logging
import math
from collections.abc import AsyncIterator

import httpx2
from fastapi import HTTPException, status
from openai import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AsyncOpenAI,
    AsyncStream,
    DefaultAsyncHttpxClient,
)
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from .recording import RunInProgress
from .settings import EmbeddingSettings, LLMSettings

logger = logging.getLogger(__name__)


def make_client(settings: LLMSettings, base_url: str) -> AsyncOpenAI:
    return AsyncOpenAI(
        base_url=base_url,
        api_key=settings.api_key.get_secret_value(),
        # For connecting, and for each wait for the next bytes of an answer.
        timeout=settings.timeout_s,
        max_retries=settings.max_retries,  # 429, 5xx, lost connections
        http_client=DefaultAsyncHttpxClient(transport=SilenceIsNotRetried()),
    )


class SilenceIsNotRetried(httpx2.AsyncHTTPTransport):
    """A provider silent for LLM_TIMEOUT_S gets no second chance.

    The SDK retries a time-out as it retries a lost connection, which would
    keep our client waiting LLM_MAX_RETRIES + 1 times as long for its 504.
    The SDK passes its own errors on without retrying: the time-out becomes one.
    """

    def __init__(self) -> None:
        # The SDK's own limits: each open stream holds a connection.
        limits = httpx2.Limits(max_connections=1000, max_keepalive_connections=100)
        super().__init__(limits=limits)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        try:
            return await super().handle_async_request(request)
        except httpx2.TimeoutException as silence:
            raise APITimeoutError(request=request) from silence


async def complete(llm: AsyncOpenAI, run: RunInProgress) -> ChatCompletion:
    """The whole answer at once."""
    return await llm.chat.completions.create(
        model=run.model,
        temperature=run.temperature,
        messages=[{"role": "user", "content": run.input}],
        max_tokens=run.max_tokens,  # None: as many as the model likes
    )


async def start_stream(
    llm: AsyncOpenAI, run: RunInProgress
) -> AsyncStream[ChatCompletionChunk]:
    """Returns once the provider has answered with a status: the chunks follow."""
    return await llm.chat.completions.create(
        model=run.model,
        temperature=run.temperature,
        messages=[{"role": "user", "content": run.input}],
        max_tokens=run.max_tokens,  # None: as many as the model likes
        stream=True,
        stream_options={"include_usage": True},  # token counts in the last chunk
    )


# What the provider's refusals mean; never its own message, which may quote
# part of the key.
REFUSALS = {
    400: "refused the request as invalid",
    401: "did not accept the API key: check LLM_API_KEY",
    403: "refused access to this model",
    404: "does not know this model: check the prompt's model and LLM_BASE_URL",
}
RETRY_AFTER_S = 5  # when the provider does not say


def retry_after(error: APIStatusError) -> str:
    """The provider's Retry-After in whole seconds, or our own guess."""
    try:
        seconds = float(error.response.headers["retry-after"])
    except (KeyError, ValueError):
        return str(RETRY_AFTER_S)
    return str(max(1, math.ceil(seconds))) if math.isfinite(seconds) else "60"


def provider_failure(error: APIError) -> HTTPException:
    """The 502, 503 or 504 our client gets when the provider fails."""
    if isinstance(error, APITimeoutError):
        failure = HTTPException(
            status.HTTP_504_GATEWAY_TIMEOUT,
            "The model provider did not answer within LLM_TIMEOUT_S",
        )
    elif isinstance(error, APIConnectionError):
        failure = HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "The model provider cannot be reached, try again shortly",
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )
    elif isinstance(error, APIStatusError) and (
        error.status_code in (408, 409, 429) or error.status_code >= 500
    ):
        # The SDK has retried already: the provider is still busy or down.
        busy = "rate-limiting us" if error.status_code == 429 else "unavailable"
        failure = HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            f"The model provider is {busy} ({error.status_code}), try again shortly",
            headers={"Retry-After": retry_after(error)},
        )
    elif isinstance(error, APIStatusError):
        refusal = REFUSALS.get(error.status_code, "refused the request")
        failure = HTTPException(
            status.HTTP_502_BAD_GATEWAY,
            f"The model provider {refusal} ({error.status_code})",
        )
    else:  # an error reported inside a stream, or an answer the SDK cannot read
        failure = HTTPException(
            status.HTTP_502_BAD_GATEWAY, "The model provider failed mid-answer"
        )
    logger.warning("Model provider failed: %s", failure.detail)
    return failure


def make_embedding_client(
    settings: EmbeddingSettings, base_url: str, api_key: str
) -> AsyncOpenAI:
    """The client of the /embeddings API: the same SDK, maybe another provider."""
    return AsyncOpenAI(
        base_url=base_url,
        api_key=api_key,
        timeout=settings.timeout_s,
        max_retries=settings.max_retries,
        http_client=DefaultAsyncHttpxClient(transport=SilenceIsNotRetried()),
    )


class Embedder:
    """Text in, vectors out, through any OpenAI-compatible /embeddings API."""

    def __init__(self, client: AsyncOpenAI, settings: EmbeddingSettings) -> None:
        self.client = client
        self.model = settings.model
        self.batch_size = settings.batch_size
        self.query_prefix = settings.query_prefix
        self.passage_prefix = settings.passage_prefix

    async def embed(self, texts: list[str]) -> list[list[float]]:
        """One call to the API for the whole list; vectors in the same order."""
        answer = await self.client.embeddings.create(
            model=self.model, input=texts, encoding_format="float"
        )
        by_index = sorted(answer.data, key=lambda item: item.index)
        return [item.embedding for item in by_index]

    async def query(self, question: str) -> list[float]:
        [vector] = await self.embed([self.query_prefix + question])
        return vector

    def passages(self, texts: list[str]) -> AsyncIterator[list[list[float]]]:
        """The passages' vectors, batch_size at a time."""
        return self._batches([self.passage_prefix + text for text in texts])

    async def _batches(self, texts: list[str]) -> AsyncIterator[list[list[float]]]:
        for start in range(0, len(texts), self.batch_size):
            yield await self.embed(texts[start : start + self.batch_size])


def embedding_failure(error: APIError) -> HTTPException:
    """The 502, 503 or 504 of a failed /embeddings call, said of the embedder."""
    failure = provider_failure(error)
    failure.detail = (
        str(failure.detail)
        .replace("The model provider", "The embedding provider")
        .replace("LLM_", "EMBEDDING_")
    )
    return failure
