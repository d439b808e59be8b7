"""The `public.books` table: the books example domain, soft-deleted and versioned."""

import uuid

from sqlalchemy import BigInteger, CheckConstraint, Enum, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.postgresql.base import Base, SoftDeleteMixin, TimestampMixin
from app.domains.books.schema import BookType

_ACTIVE = text("deleted_at IS NULL")
# Named here and by the books service, which tells a duplicate ISBN (409/1002) by it.
ISBN_UNIQUE_INDEX = "uq_books_isbn_active"


class Book(TimestampMixin, SoftDeleteMixin, Base):
    __tablename__ = "books"
    __table_args__ = (
        # ISBNs are unique among active books only: a soft-deleted book frees its ISBN.
        Index(ISBN_UNIQUE_INDEX, "isbn", unique=True, postgresql_where=_ACTIVE),
        # One index per list sort (id breaks ties) and for the case-insensitive author filter.
        Index("ix_books_active_created_at", "created_at", "id", postgresql_where=_ACTIVE),
        Index("ix_books_active_title", "title", "id", postgresql_where=_ACTIVE),
        Index("ix_books_active_year", "year", "id", postgresql_where=_ACTIVE),
        Index("ix_books_active_author", func.lower(text("author")), postgresql_where=_ACTIVE),
        # The purge job's scan: only soft-deleted books, oldest deletion first.
        Index("ix_books_deleted_at", "deleted_at", postgresql_where=text("deleted_at IS NOT NULL")),
        CheckConstraint("version >= 1", name="version_positive"),
        {"schema": "public"},
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    title: Mapped[str] = mapped_column(String(255))
    author: Mapped[str] = mapped_column(String(255))
    year: Mapped[int]
    # VARCHAR + CHECK rather than a native enum: adding a type is then a plain migration.
    type: Mapped[BookType] = mapped_column(
        Enum(
            BookType,
            name="book_type",
            native_enum=False,
            create_constraint=True,
            length=16,
            values_callable=lambda members: [member.value for member in members],
        )
    )
    isbn: Mapped[str | None] = mapped_column(String(13))
    # BIGINT: any version an If-Match header can name (up to 18 digits) binds without overflow.
    version: Mapped[int] = mapped_column(BigInteger, server_default=text("1"))
