"""A run while it happens: the text so far, the clock, and its record at the end."""

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from openai.types.chat import ChatCompletion, ChatCompletionChunk
from openai.types.completion_usage import CompletionUsage

from .database import save_row_in_thread
from .models import Hit, Run, RunStatus


def elapsed_ms(since: float) -> int:
    return round((time.perf_counter() - since) * 1000)


@dataclass
class RunInProgress:
    """Everything a run needs before, during and after the call to the model."""

    prompt_id: int | None  # None: a run of /ask without a library prompt
    model: str
    temperature: float
    input: str  # the rendered template, as sent to the model
    max_tokens: int | None = None
    sources: list[Hit] = field(default_factory=list)  # what /ask retrieved
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    started: float = field(default_factory=time.perf_counter)
    pieces: list[str] = field(default_factory=list)
    first_token_ms: int | None = None
    finish_reason: str | None = None
    usage: CompletionUsage | None = None
    finished: bool = False  # recorded, or at least tried to be

    def add(self, text: str) -> None:
        if self.first_token_ms is None:
            self.first_token_ms = elapsed_ms(self.started)
        self.pieces.append(text)

    def read_chunk(self, chunk: ChatCompletionChunk) -> str:
        """Note what a streamed chunk says; return its text ("" if none)."""
        self.usage = chunk.usage or self.usage  # in the last chunk, if at all
        if not chunk.choices:
            return ""
        choice = chunk.choices[0]
        self.finish_reason = choice.finish_reason or self.finish_reason
        text = choice.delta.content or ""
        if text:
            self.add(text)
        return text

    def read_completion(self, completion: ChatCompletion) -> None:
        self.usage = completion.usage
        if completion.choices:
            choice = completion.choices[0]
            self.finish_reason = choice.finish_reason
            self.add(choice.message.content or "")

    async def finish(self, outcome: RunStatus, error: str | None = None) -> Run:
        """Record the run in MySQL, off the event loop; return the stored row."""
        self.finished = True
        run = Run(
            prompt_id=self.prompt_id,
            model=self.model,
            temperature=self.temperature,
            input=self.input,
            text="".join(self.pieces),
            status=outcome,
            error=error,
            finish_reason=self.finish_reason,
            prompt_tokens=self.usage.prompt_tokens if self.usage else None,
            completion_tokens=self.usage.completion_tokens if self.usage else None,
            first_token_ms=self.first_token_ms,
            duration_ms=elapsed_ms(self.started),
            created_at=self.created_at,
            sources=[hit.model_dump() for hit in self.sources],
        )
        await save_row_in_thread(run)
        return run
