"""ORM models by PostgreSQL schema; importing this package registers every table on the metadata."""

from app.db.postgresql.base import Base
from app.db.postgresql.models.public.book import Book

__all__ = ["Base", "Book"]
