"""Mounts the base endpoints and every versioned router."""

from fastapi import FastAPI

from app.api.endpoints import router as base_router
from app.api.v1.books.endpoints import router as books_router
from app.api.v1.reviews.endpoints import router as reviews_router

API_V1 = "/v1"


def include_routers(app: FastAPI) -> None:
    # Straight onto the app: every extra router level costs each request another match pass
    # (measured in docs/performance.md).
    app.include_router(base_router)
    app.include_router(books_router, prefix=API_V1)
    app.include_router(reviews_router, prefix=API_V1)
