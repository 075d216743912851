"""The library's models: three tables, and the API models around them.

The prompt family is Part 4's, the run family Part 5's; a run now keeps the
sources its answer was grounded in, and may have no prompt (POST /ask).
New in Part 6: the document family, the search hit, and the body of /ask.
"""

import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, FiniteFloat, StringConstraints, field_validator
from sqlalchemy import BigInteger, Dialect, Double, Integer, String, Text
from sqlalchemy.dialects.mysql import DATETIME
from sqlalchemy.types import TypeDecorator
from sqlmodel import CheckConstraint, Field, SQLModel

# Names are stripped first, then measured: "  summary " is stored as "summary".
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
]
Template = Annotated[str, StringConstraints(min_length=1, max_length=10_000)]
ModelName = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Temperature = Annotated[FiniteFloat, Field(ge=0.0, le=2.0)]

DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_TEMPERATURE = 0.7
# Ids are 64-bit (BIGINT) in every table: a larger id cannot exist.
MAX_ID = 2**63 - 1


class PromptBase(SQLModel):
    name: Name
    template: Template
    model: ModelName = DEFAULT_MODEL
    temperature: Temperature = DEFAULT_TEMPERATURE


def name_key(name: str) -> str:
    # casefold() is lower() for every script: "Straße" and "STRASSE" match.
    return name.casefold()


class Prompt(PromptBase, table=True):
    # The database checks the rules too. CHAR_LENGTH counts characters;
    # MySQL's LENGTH counts bytes, four for an emoji.
    __table_args__ = (
        CheckConstraint("char_length(name) BETWEEN 1 AND 100", name="name_length"),
        CheckConstraint(
            "char_length(template) BETWEEN 1 AND 10000", name="template_length"
        ),
        CheckConstraint("char_length(model) BETWEEN 1 AND 100", name="model_length"),
        CheckConstraint("temperature BETWEEN 0 AND 2", name="temperature_range"),
        {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"},
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigInteger)
    name: Name = Field(sa_type=String(100))  # 100 characters, not bytes
    template: Template = Field(sa_type=Text)
    model: ModelName = Field(default=DEFAULT_MODEL, sa_type=String(100))
    temperature: Temperature = Field(
        default=DEFAULT_TEMPERATURE,
        sa_type=Double,  # 8 bytes, as Python's float
    )
    # name_key(name), filled in by every save: the database keeps it unique.
    # casefold() can make a name longer: "ß" becomes "ss", "ΐ" three letters.
    name_key: str | None = Field(
        default=None,
        unique=True,
        nullable=False,
        sa_type=String(300, collation="utf8mb4_bin"),  # compares bytes only
    )


class PromptCreate(PromptBase):
    # extra="forbid": an unknown field is a typo worth a 422, not a silent no-op.
    # strict=True: "0.5" is not a number and true is not a temperature.
    model_config = {"extra": "forbid", "strict": True}


def without_null(schema: dict[str, Any]) -> None:
    """In the JSON schema, show each field by its type alone: null is refused."""
    for field in schema["properties"].values():
        field.pop("default", None)
        field.update(next(s for s in field.pop("anyOf") if s != {"type": "null"}))


class PromptUpdate(SQLModel):
    """Every field is optional: PATCH changes only what the client sends."""

    model_config = {
        "extra": "forbid",
        "strict": True,
        "json_schema_extra": without_null,
    }

    name: Name | None = None
    template: Template | None = None
    model: ModelName | None = None
    temperature: Temperature | None = None

    @field_validator("*", mode="before")
    @classmethod
    def reject_null(cls, value: object) -> object:
        # A field may be left out, but an explicit null is a client mistake.
        if value is None:
            raise ValueError("may be left out, but may not be null")
        return value


class PromptPublic(PromptBase):
    id: int


class RenderRequest(SQLModel):
    model_config = {"extra": "forbid", "strict": True}

    variables: dict[str, str] = {}


class RenderResponse(SQLModel):
    text: str


class Health(SQLModel):
    status: str
    database: str
    vectors: str


class ErrorMessage(SQLModel):
    """The body of every error the API raises itself."""

    detail: str


class GenerateRequest(RenderRequest):
    """What to fill the template with, and at most how many tokens to answer."""

    max_tokens: Annotated[int, Field(ge=1, le=4096)] | None = None


class RunStatus(StrEnum):
    completed = "completed"
    failed = "failed"  # the provider failed; `error` says how
    cancelled = "cancelled"  # the client went away before the end


class RunBase(SQLModel):
    """One call to the model: what was sent, how it went, how long it took."""

    # None for a run of /ask made without a library prompt.
    prompt_id: int | None = Field(default=None, sa_type=BigInteger, index=True)
    model: str = Field(sa_type=String(100))
    temperature: float = Field(sa_type=Double)
    input: str = Field(sa_type=Text(1_000_000))  # the filled template, as sent
    status: RunStatus = Field(sa_type=String(20))
    error: str | None = Field(default=None, sa_type=Text)
    finish_reason: str | None = Field(default=None, sa_type=String(50))
    # None when the provider did not report them.
    prompt_tokens: int | None = Field(default=None, sa_type=Integer)
    completion_tokens: int | None = Field(default=None, sa_type=Integer)
    first_token_ms: int | None = Field(default=None, sa_type=Integer)
    duration_ms: int = Field(default=0, sa_type=Integer)
    # In UTC, to the microsecond, so that runs sort in the order they started.
    created_at: datetime = Field(sa_type=DATETIME(fsp=6), index=True)

    @field_validator("created_at")
    @classmethod
    def in_utc(cls, value: datetime) -> datetime:
        # MySQL's DATETIME keeps no time zone: what comes back is UTC.
        return value if value.tzinfo else value.replace(tzinfo=UTC)


class Hit(SQLModel):
    """One chunk that search found, and where it comes from."""

    document_id: int
    title: str
    source: str | None
    chunk: int  # its number in the document, from 0
    heading: str  # the headings above it, "" when none
    text: str
    score: float  # higher is closer


class HitList(TypeDecorator[list[dict[str, Any]]]):
    """A list of hits, kept as JSON text in one column (NULL reads as [])."""

    impl = Text(16_000_000)
    cache_ok = True

    def process_bind_param(
        self, value: list[Any] | None, dialect: Dialect
    ) -> str | None:
        if value is None:
            return None
        return json.dumps([Hit.model_validate(hit).model_dump() for hit in value])

    def process_result_value(
        self, value: str | None, dialect: Dialect
    ) -> list[dict[str, Any]]:
        return [] if value is None else list(json.loads(value))


class Run(RunBase, table=True):
    # No foreign key to `prompt`: a run is kept when its prompt is deleted.
    __table_args__ = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}

    id: int | None = Field(default=None, primary_key=True, sa_type=BigInteger)
    text: str = Field(default="", sa_type=Text(4_000_000))  # the model's answer
    # The hits the answer was grounded in, numbered [1], [2]... in the prompt.
    # NULL for runs made before Part 6 (and read as []).
    sources: list[dict[str, Any]] = Field(
        default_factory=list, sa_type=HitList, nullable=True
    )


class RunSummary(RunBase):
    """A run without its text: what the stream's `done` event carries."""

    id: int
    sources: list[Hit] = []


class RunPublic(RunSummary):
    text: str


def no_blank_or_nul(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty or only whitespace")
    if "\x00" in value:
        raise ValueError("must not hold a NUL character")
    return value


DocumentTitle = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200),
    AfterValidator(no_blank_or_nul),
]
DocumentText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=1_000_000),
    AfterValidator(no_blank_or_nul),
]
DocumentSource = Annotated[
    str, StringConstraints(max_length=2000), AfterValidator(no_blank_or_nul)
]


class DocumentStatus(StrEnum):
    indexing = "indexing"  # chunks being embedded and stored; not searchable yet
    ready = "ready"  # every chunk is in the vector store
    failed = "failed"  # `error` says why; reindex tries again


class DocumentBase(SQLModel):
    title: DocumentTitle = Field(sa_type=String(200))
    source: DocumentSource | None = Field(default=None, sa_type=String(2000))


class Document(DocumentBase, table=True):
    """A document of the library: MySQL keeps its text; Qdrant its chunks."""

    __table_args__ = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}

    id: int | None = Field(default=None, primary_key=True, sa_type=BigInteger)
    text: str = Field(sa_type=Text(4_000_000))
    status: DocumentStatus = Field(
        default=DocumentStatus.indexing, sa_type=String(20), index=True
    )
    error: str | None = Field(default=None, sa_type=Text)
    chunks: int = Field(default=0, sa_type=Integer)
    characters: int = Field(default=0, sa_type=Integer)
    embedding_model: str | None = Field(default=None, sa_type=String(200))
    created_at: datetime = Field(
        default_factory=lambda: datetime.now(UTC), sa_type=DATETIME(fsp=6)
    )
    indexed_at: datetime | None = Field(default=None, sa_type=DATETIME(fsp=6))


class DocumentCreate(DocumentBase):
    model_config = {"extra": "forbid", "strict": True}

    text: DocumentText


# An uploaded file's bound is in bytes (1 MiB), and so at most as many characters.
UploadedText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=1024 * 1024),
    AfterValidator(no_blank_or_nul),
]


class DocumentUpload(DocumentBase):
    model_config = {"extra": "forbid", "strict": True}

    text: UploadedText


class DocumentSummary(DocumentBase):
    """A document without its text: what lists and the 202 answers carry."""

    id: int
    status: DocumentStatus
    error: str | None
    chunks: int
    characters: int
    embedding_model: str | None
    created_at: datetime
    indexed_at: datetime | None

    @field_validator("created_at", "indexed_at")
    @classmethod
    def in_utc(cls, value: datetime | None) -> datetime | None:
        if value is None or value.tzinfo:
            return value
        return value.replace(tzinfo=UTC)


class DocumentPublic(DocumentSummary):
    text: str


Question = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
TopK = Annotated[int, Field(ge=1, le=20)]


class AskRequest(SQLModel):
    model_config = {"extra": "forbid", "strict": True}

    question: Question
    k: TopK = 5
    prompt_id: Annotated[int, Field(ge=1, le=2**63 - 1)] | None = None
    max_tokens: Annotated[int, Field(ge=1, le=4096)] | None = None
