"""Every endpoint test runs over ASGI and again through the Lambda handler (HTTP API v2
events); a representative subset also runs with REST API v1 and ALB events."""

from collections.abc import Iterator

import pytest

from tests.conftest import use_transport

EVERY_TEST = ("asgi", "http_v2")
REPRESENTATIVE = ("asgi", "http_v2", "rest_v1", "alb")
REPRESENTATIVE_MODULES = {
    "tests.api.test_endpoints",
    "tests.api.v1.books.test_create_and_get",
    "tests.api.v1.books.test_updates",
    "tests.api.v1.reviews.test_book_reviews",
}


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


@pytest.fixture(autouse=True)
def http_transport(request: pytest.FixtureRequest) -> Iterator[str]:
    transport: str = request.param
    use_transport(transport)
    yield transport
    use_transport("asgi")
