"""The shared error mapping: driver exceptions become envelope errors, bugs become 500s.

Each store's module provokes these for real against a stopped server; this file pins the
mapping itself for every exception family the drivers raise.
"""

import pytest
from psycopg import OperationalError as PsycopgOperationalError
from psycopg.errors import UniqueViolation
from pymongo import errors as mongo_errors
from redis import exceptions as redis_errors
from sqlalchemy import exc as sa_exc

from app.domains.books.errors import BookNotFoundError
from app.http.errors.mapping import to_api_exception
from tests.conftest import AppFactory, app_client
from tests.support.envelope import assert_envelope


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (sa_exc.OperationalError("SELECT 1", {}, Exception("down")), 503, 9001),
        (sa_exc.InterfaceError("SELECT 1", {}, Exception("closed")), 503, 9001),
        (sa_exc.TimeoutError("pool exhausted"), 503, 9001),
        (sa_exc.IntegrityError("INSERT", {}, Exception("dup")), 409, 8010),
        (sa_exc.NoResultFound(), 404, 8011),
        (PsycopgOperationalError("down"), 503, 9001),
        (UniqueViolation("dup"), 409, 8010),
        (mongo_errors.ServerSelectionTimeoutError("no server"), 503, 9002),
        (mongo_errors.AutoReconnect("reset"), 503, 9002),
        (mongo_errors.ExecutionTimeout("slow"), 503, 9002),
        (mongo_errors.DuplicateKeyError("dup"), 409, 8010),
        (redis_errors.ConnectionError("refused"), 503, 9003),
        (redis_errors.TimeoutError("slow"), 503, 9003),
    ],
)
def test_driver_errors_are_mapped(error: Exception, status: int, code: int) -> None:
    api_error = to_api_exception(error)
    assert api_error is not None
    assert (api_error.status_code, api_error.code.code) == (status, code)
    assert "down" not in api_error.message
    assert "dup" not in api_error.message


def test_unavailable_answers_say_when_to_retry() -> None:
    api_error = to_api_exception(redis_errors.ConnectionError("refused"))
    assert api_error is not None
    assert api_error.headers == {"Retry-After": "1"}


def test_api_exceptions_pass_through() -> None:
    error = BookNotFoundError()
    assert to_api_exception(error) is error


@pytest.mark.parametrize(
    "error",
    [RuntimeError("bug"), sa_exc.ArgumentError("bad"), KeyboardInterrupt()],
)
def test_anything_else_is_a_bug(error: BaseException) -> None:
    assert to_api_exception(error) is None


async def test_a_store_error_escaping_a_route_is_its_503(app_factory: AppFactory) -> None:
    app = app_factory()

    @app.get("/store")
    async def store() -> None:
        raise redis_errors.ConnectionError("Error 111 connecting to 10.0.0.5:6379")

    async with app_client(app) as client:
        response = await client.get("/store")
    assert_envelope(response, 503, code=9003)
    assert "10.0.0.5" not in response.text
    assert response.headers["retry-after"] == "1"
