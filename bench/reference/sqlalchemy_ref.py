"""Benchmark reference: FastAPI + Mangum + async SQLAlchemy reading one book, as a Lambda app would.

One lazily created engine per process with a one-connection, pre-pinged pool; one Core query.
"""

import os
from typing import Any
from uuid import UUID

from fastapi import FastAPI, HTTPException
from mangum import Mangum
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

SELECT_BOOK = text(
    "SELECT id, title, author, year, type, isbn, version, created_at, updated_at"
    " FROM public.books WHERE id = :id AND deleted_at IS NULL"
)

app = FastAPI()
_engine: AsyncEngine | None = None


def engine() -> AsyncEngine:
    global _engine
    if _engine is None:
        url = make_url(os.environ["POSTGRESQL_URL"]).set(drivername="postgresql+psycopg")
        _engine = create_async_engine(url, pool_size=1, max_overflow=0, pool_pre_ping=True)
    return _engine


@app.get("/v1/books/{book_id}")
async def get_book(book_id: UUID) -> dict[str, Any]:
    async with engine().connect() as connection:
        row = (await connection.execute(SELECT_BOOK, {"id": book_id})).mappings().first()
    if row is None:
        raise HTTPException(status_code=404)
    return dict(row)


handler = Mangum(app, lifespan="off")
