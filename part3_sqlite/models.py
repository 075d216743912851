"""The prompt library's models: one table, and the API models around it.

Every class here is a Pydantic model. `Prompt`, declared with `table=True`, is
also a table in the database. The others describe what crosses the API: what
a client may send when creating, what it may send when updating, and what the
API sends back. They share their fields through `PromptBase`.
"""

from typing import Annotated, Any

from pydantic import FiniteFloat, StringConstraints, field_validator
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

# Ids are 64-bit in every database later parts use; a larger id cannot exist.
LARGEST_ID = 2**63 - 1


class PromptBase(SQLModel):
    name: Name
    template: Template
    model: ModelName = DEFAULT_MODEL
    temperature: Temperature = DEFAULT_TEMPERATURE


def name_key(name: str) -> str:
    # casefold() is lower() for every script: "Straße" and "STRASSE" match.
    return name.casefold()


class Prompt(PromptBase, table=True):
    # The database checks the rules too. SQLite's length() stops counting at
    # a NUL character, so emptiness is tested with <> '' instead.
    __table_args__ = (
        CheckConstraint("name <> '' AND length(name) <= 100", name="name_length"),
        CheckConstraint(
            "template <> '' AND length(template) <= 10000", name="template_length"
        ),
        CheckConstraint("model <> '' AND length(model) <= 100", name="model_length"),
        CheckConstraint("temperature BETWEEN 0 AND 2", name="temperature_range"),
        # AUTOINCREMENT: an id is never handed out twice, even after a delete.
        {"sqlite_autoincrement": True},
    )

    # None until the row is inserted; then the database fills it in.
    id: int | None = Field(default=None, primary_key=True)
    # name_key(name), filled in by every save: the database keeps it unique.
    name_key: str | None = Field(default=None, unique=True, nullable=False)


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


class ErrorMessage(SQLModel):
    """The body of every error the API raises itself."""

    detail: str
