"""Declarative base for PostgreSQL models: constraint naming, timestamps and soft delete."""

from datetime import datetime

from sqlalchemy import DateTime, MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Deterministic constraint names, so migrations can drop or alter them by name.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: DateTime(timezone=True)}


class TimestampMixin:
    """created_at/updated_at set by the database clock.

    They read back aware, in the zone of whichever server session ran the query (a pooler
    may hand out any); responses convert them to UTC (`UtcDateTime` in app.http.schemas).
    """

    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class SoftDeleteMixin:
    """deleted_at marks a soft-deleted row: it stays in the table and leaves the API."""

    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
