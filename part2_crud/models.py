"""The request and response models of the prompt library.

One resource, several models: what a client may send when creating, what it
may send when updating, and what the API sends back.
"""

from typing import Annotated, Any

from pydantic import BaseModel, Field, FiniteFloat, StringConstraints, field_validator

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


class PromptCreate(BaseModel):
    # extra="forbid": an unknown field is a typo worth a 422, not a silent no-op.
    # strict=True: "0.5" is not a number and true is not a temperature.
    model_config = {"extra": "forbid", "strict": True}

    name: Name
    template: Template
    model: ModelName = DEFAULT_MODEL
    temperature: Temperature = DEFAULT_TEMPERATURE


def without_null(schema: dict[str, Any]) -> None:
    """In the JSON schema, show each field by its type alone: null is refused."""
    for field in schema["properties"].values():
        field.pop("default", None)
        field.update(next(s for s in field.pop("anyOf") if s != {"type": "null"}))


class PromptUpdate(BaseModel):
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


class PromptPublic(BaseModel):
    id: int
    name: str
    template: str
    model: str
    temperature: float


class RenderRequest(BaseModel):
    model_config = {"extra": "forbid", "strict": True}

    variables: dict[str, str] = {}


class RenderResponse(BaseModel):
    text: str


class ErrorMessage(BaseModel):
    """The body of every error the API raises itself."""

    detail: str
