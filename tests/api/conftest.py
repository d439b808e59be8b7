"""Base endpoints: each HTTP test runs per event shape (tests/support/http_shapes.py)."""

from tests.support.http_shapes import (
    client,
    client_for,
    http_transport,
    pytest_configure,
    pytest_generate_tests,
)

__all__ = ["client", "client_for", "http_transport", "pytest_configure", "pytest_generate_tests"]
