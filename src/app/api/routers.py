"""Mounts the base endpoints and every versioned router."""

from fastapi import APIRouter

from app.api.endpoints import router as base_router
from app.api.v1.books.endpoints import router as books_router
from app.api.v1.reviews.endpoints import router as reviews_router

api_router = APIRouter()
api_router.include_router(base_router)
api_router.include_router(books_router, prefix="/v1")
api_router.include_router(reviews_router, prefix="/v1")
