"""Mounts the base endpoints and every registered domain's router under `/v1`."""

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.types import Scope

from app.api.endpoints import router as base_router
from app.domains import domain_modules

API_V1 = "/v1"


def operation_id(route: APIRoute) -> str:
    """The route function's name (get_book): short, stable, and what OpenAPI links name."""
    return route.name


def include_routers(app: FastAPI) -> None:
    # Straight onto the app: every extra router level costs each request another match pass
    # (docs/performance.md).
    app.include_router(base_router, generate_unique_id_function=operation_id)
    for routes in domain_modules("routes"):
        app.include_router(routes.router, prefix=API_V1, generate_unique_id_function=operation_id)


def build_route_validators(app: FastAPI) -> None:
    """Build now what FastAPI builds for each included route on the first request matched
    against it: its parameter, body and response validators and its dependency graph."""
    # A path no route matches (paths start with "/") is matched against every route.
    unmatched: Scope = {"type": "http", "method": "GET", "path": "", "root_path": ""}
    for route in app.router.routes:
        route.matches(unmatched)
