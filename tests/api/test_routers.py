"""The routers: what FastAPI builds for the included routes can be built ahead of a request."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.dependencies.utils import get_dependant

from app.api.routers import build_route_validators
from tests.conftest import AppFactory, app_client

PATHS = ("/health", "/v1/books?limit=1", "/v1/reviews/6b1f3f52-2c1d-4f4e-9a59-0b3d5e1a7c01")


@pytest.fixture
def dependants_built(monkeypatch: pytest.MonkeyPatch) -> list[Callable[..., Any]]:
    """Each route handler FastAPI analyses (its parameters, body, dependencies), as it does
    for an included route on the first request matched against it."""
    built: list[Callable[..., Any]] = []

    def recording(*args: Any, call: Callable[..., Any], **kwargs: Any) -> Any:
        built.append(call)
        return get_dependant(*args, call=call, **kwargs)

    monkeypatch.setattr("fastapi.routing.get_dependant", recording)
    return built


async def test_first_requests_build_nothing_once_the_validators_are_built(
    app_factory: AppFactory, dependants_built: list[Callable[..., Any]]
) -> None:
    app = app_factory()

    build_route_validators(app)

    assert {call.__name__ for call in dependants_built} >= {"health", "list_books", "get_review"}
    dependants_built.clear()
    async with app_client(app) as client:
        for path in PATHS:
            assert (await client.get(path)).status_code in (200, 404)
    assert dependants_built == []


async def test_without_them_the_first_requests_build_their_routes(
    app_factory: AppFactory, dependants_built: list[Callable[..., Any]]
) -> None:
    app = app_factory()
    async with app_client(app) as client:
        for path in PATHS:
            await client.get(path)
    assert dependants_built
