"""The prompt library's models: two tables, and the API models around them.

The prompt family is Part 4's. New in Part 5: the run family, one row per
call to the model, and the body of a generate request.
"""

from datetime import datetime, timezone
from enum import Enum
from typing import Annotated, Any

from pydantic import FiniteFloat, StringConstraints, field_validator
from sqlalchemy import BigInteger, Double, Integer, String, Text
from sqlalchemy.dialects.mysql import DATETIME
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


class ErrorMessage(SQLModel):
    """The body of every error the API raises itself."""

    detail: str


class GenerateRequest(RenderRequest):
    """What to fill the template with, and at most how many tokens to answer."""

    max_tokens: Annotated[int, Field(ge=1, le=4096)] | None = None


class RunStatus(str, Enum):
    completed = "completed"
    failed = "failed"  # the provider failed; `error` says how
    cancelled = "cancelled"  # the client went away before the end


class RunBase(SQLModel):
    """One call to the model: what was sent, how it went, how long it took."""

    prompt_id: int = Field(sa_type=BigInteger, index=True)
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
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


class Run(RunBase, table=True):
    # No foreign key to `prompt`: a run is kept when its prompt is deleted.
    __table_args__ = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}

    id: int | None = Field(default=None, primary_key=True, sa_type=BigInteger)
    text: str = Field(default="", sa_type=Text(4_000_000))  # the model's answer


class RunSummary(RunBase):
    """A run without its text: what the stream's `done` event carries."""

    id: int


class RunPublic(RunSummary):
    text: str
