"""Create public.books with its list indexes and ISBN uniqueness among active books.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = sa.text("deleted_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "books",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("isbn", sa.String(length=13), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("version >= 1", name=op.f("ck_books_version_positive")),
        sa.CheckConstraint(
            "type IN ('online', 'physical', 'both')", name=op.f("ck_books_book_type")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_books")),
        schema="public",
    )
    indexes: list[tuple[str, list[str | sa.TextClause], bool]] = [
        ("uq_books_isbn_active", ["isbn"], True),
        ("ix_books_active_created_at", ["created_at", "id"], False),
        ("ix_books_active_title", ["title", "id"], False),
        ("ix_books_active_year", ["year", "id"], False),
        ("ix_books_active_author", [sa.text("lower(author)")], False),
    ]
    for name, columns, unique in indexes:
        op.create_index(
            name, "books", columns, unique=unique, schema="public", postgresql_where=ACTIVE
        )


def downgrade() -> None:
    op.drop_table("books", schema="public")
