"""Document base model and the one BSON <-> model mapping every collection uses.

Ids are UUIDs stored as `_id` in the standard BSON representation (binary subtype 4, set on
the client); timestamps are UTC and truncated to milliseconds, BSON's date precision, so a
model compares equal to what a later read returns.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Literal, Self
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.core.clock import ensure_utc, utc_now

Document = dict[str, Any]
SortDirection = Literal[1, -1]
ASCENDING: SortDirection = 1
DESCENDING: SortDirection = -1


@dataclass(frozen=True, slots=True)
class IndexSpec:
    """An index declared next to its document model; created idempotently at first use."""

    name: str
    keys: tuple[tuple[str, SortDirection], ...]
    unique: bool = False


def bson_datetime(value: datetime) -> datetime:
    value = ensure_utc(value)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def bson_now() -> datetime:
    return bson_datetime(utc_now())


class MongoDocument(BaseModel):
    """A stored document: subclasses add fields, `collection_name` and `indexes`."""

    model_config = ConfigDict(extra="forbid")

    collection_name: ClassVar[str]
    indexes: ClassVar[tuple[IndexSpec, ...]] = ()

    id: UUID = Field(default_factory=uuid4)
    created_at: datetime = Field(default_factory=bson_now)
    updated_at: datetime = Field(default_factory=bson_now)

    @field_validator("created_at", "updated_at")
    @classmethod
    def _bson_precision(cls, value: datetime) -> datetime:
        return bson_datetime(value)

    def to_document(self) -> Document:
        """The BSON-ready mapping: `id` becomes `_id`; UUIDs and datetimes stay native."""
        document = self.model_dump(exclude={"id"})
        return {"_id": self.id, **document}

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> Self:
        fields = {key: value for key, value in document.items() if key != "_id"}
        return cls.model_validate({"id": document["_id"], **fields})
