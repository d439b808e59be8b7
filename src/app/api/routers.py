"""Mounts the base endpoints and every versioned router."""

from fastapi import APIRouter

from app.api.endpoints import router as base_router

api_router = APIRouter()
api_router.include_router(base_router)
