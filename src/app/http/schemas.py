"""Model bases and field types every domain shares: closed bodies, partial updates, text
fields, UTC timestamps."""

from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    model_validator,
)

from app.core.clock import ensure_utc

# The lengths and patterns of text fields apply to the text as sent, exactly as the OpenAPI
# schema says; surrounding ASCII whitespace is then stripped from what is stored.
BLANKS = " \t\n\r\f\v"
# PostgreSQL text cannot hold NUL: text fields refuse it as invalid input, on every store.
WITHOUT_NUL = r"^[^\x00]*$"
# A required text also needs one character that is not blank.
NOT_BLANK = r"^[^\x00]*[^\x00 \t\n\r\f\v][^\x00]*$"


def _stripped(value: str) -> str:
    return value.strip(BLANKS)


Stripped = AfterValidator(_stripped)

# A short required text: 1 to 255 characters, not all blank; stored stripped.
Name = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=NOT_BLANK), Stripped]


def _integral(value: object) -> object:
    # JSON has one number type: 3.0 is an integer to a JSON Schema validator, so here too.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# A JSON integer in a body, 3 or 3.0 but never "3", true or 3.5 (the schema's `integer`):
# `Annotated[int, Field(<bounds>, strict=True), INTEGRAL]`. The bounds come first, so the
# schema shows them as `minimum`/`maximum`.
INTEGRAL = BeforeValidator(_integral)

# A timestamp in a response: always UTC, whatever zone the store's session used.
UtcDateTime = Annotated[datetime, AfterValidator(ensure_utc)]


class InputModel(BaseModel):
    """A request body: an unknown field is a 422, never silently dropped."""

    model_config = ConfigDict(extra="forbid")


class PatchModel(InputModel):
    """A PATCH body. Declare fields as `T | MISSING = MISSING` (pydantic's sentinel): an
    omitted field stays as it is, and null is refused unless `T` itself allows None. The
    OpenAPI schema says exactly that, and that at least one field is needed."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    @model_validator(mode="after")
    def _at_least_one_field(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("send at least one field to change")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields the client sent (MISSING ones are left out of a dump)."""
        return self.model_dump()
