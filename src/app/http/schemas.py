"""Model bases and field types every domain shares: closed bodies, partial updates, text
fields, UTC timestamps."""

from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, model_validator

from app.core.clock import ensure_utc

# PostgreSQL text cannot hold NUL: text fields refuse it as invalid input, on every store.
WITHOUT_NUL = r"^[^\x00]*$"

# A short required text: surrounding spaces stripped, then 1 to 255 characters.
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255, pattern=WITHOUT_NUL)
]

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
