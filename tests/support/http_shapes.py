"""Every test under tests/api and tests/domains that makes HTTP calls (it asks for `client` or
`client_for`) runs over ASGI and again through the Lambda handler (HTTP API v2 events); a
representative subset also runs with REST API v1 and ALB events. Tests that make no HTTP call
run once. The conftest of each of those folders imports this module's hooks and fixtures."""

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import app_client

EVERY_TEST = ("asgi", "http_v2")
REPRESENTATIVE = ("asgi", "http_v2", "rest_v1", "alb")
REPRESENTATIVE_MODULES = {
    "tests.api.test_endpoints",
    "tests.domains.books.test_create_and_get",
    "tests.domains.books.test_updates",
    "tests.domains.reviews.test_book_reviews",
}

ClientFor = Callable[[FastAPI], httpx.AsyncClient]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "asgi_only: needs concurrent requests in one process, which a Lambda sandbox never "
        "serves (one invocation at a time)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "http_transport" not in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("asgi_only"):
        shapes: tuple[str, ...] = ("asgi",)
    elif metafunc.module.__name__ in REPRESENTATIVE_MODULES:
        shapes = REPRESENTATIVE
    else:
        shapes = EVERY_TEST
    metafunc.parametrize("http_transport", shapes, indirect=True)


@pytest.fixture
def http_transport(request: pytest.FixtureRequest) -> str:
    transport: str = request.param
    return transport


@pytest.fixture
def client_for(http_transport: str) -> ClientFor:
    """Clients for apps the test builds itself, over this run's transport."""
    return lambda app: app_client(app, http_transport)


@pytest.fixture
async def client(app: FastAPI, client_for: ClientFor) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as http:
        yield http
