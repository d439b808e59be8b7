"""`close_clients` and `disconnect_clients`: close what the process opened, and import no store
it did not use."""

import sys

import psycopg
import pytest
import redis
from sqlalchemy import make_url

from app.db import close_clients, disconnect_clients
from app.db.lazy_client import LazyClient
from app.db.postgresql import connection as postgresql_connection
from app.db.redis import connection
from tests.conftest import SettingsFactory


def open_connections(url: str, name: str) -> int:
    with redis.Redis.from_url(url) as observer:
        return sum(client["name"] == name for client in observer.client_list())


async def test_an_open_client_is_closed_on_the_server(
    settings_factory: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the production holder (the suite's per-loop one set aside) with one connection open
    holder = LazyClient(
        connection.shared.options, connection.shared.connect, connection.shared.close_client
    )
    monkeypatch.setattr(connection, "shared", holder)
    settings = settings_factory(service_name="close-clients")
    assert settings.redis_url is not None
    url, name = settings.redis_url.get_secret_value(), "close-clients-testing"
    client = holder.get(settings).client
    await client.ping()
    assert open_connections(url, name) == 1

    # When the process closes its clients
    await close_clients()

    # Then the server sees none, and the next use gets a new client
    assert open_connections(url, name) == 0
    assert holder.get(settings).client is not client
    await holder.close()


async def test_stores_the_process_never_used_are_not_imported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(sys.modules, "app.db.mongo.connection")
    await close_clients()
    assert "app.db.mongo.connection" not in sys.modules


def postgresql_backends(url: str, application_name: str) -> int:
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain) as observer:
        row = observer.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
            (application_name,),
        ).fetchone()
    assert row is not None
    return int(row[0])


async def test_disconnect_closes_the_connections_and_keeps_the_engine(
    settings_factory: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the production holders with a PostgreSQL and a Redis connection open
    postgresql = postgresql_connection.shared
    holder = LazyClient(
        postgresql.options,
        postgresql.connect,
        postgresql.close_client,
        postgresql.disconnect_client,
    )
    monkeypatch.setattr(postgresql_connection, "shared", holder)
    redis_holder = LazyClient(
        connection.shared.options, connection.shared.connect, connection.shared.close_client
    )
    monkeypatch.setattr(connection, "shared", redis_holder)
    settings = settings_factory(service_name="disconnect-clients")
    assert settings.postgresql_url is not None
    assert settings.redis_url is not None
    url, name = settings.postgresql_url.get_secret_value(), "disconnect-clients-testing"
    sessions = holder.get(settings)
    await postgresql_connection.ping(settings)
    redis_client = redis_holder.get(settings).client
    await redis_client.ping()
    assert postgresql_backends(url, name) == 1

    # When the process disconnects its clients (before a snapshot)
    await disconnect_clients()

    # Then neither server sees a connection; the engine is kept and connects again on use
    assert postgresql_backends(url, name) == 0
    assert open_connections(settings.redis_url.get_secret_value(), name) == 0
    assert holder.get(settings) is sessions
    await postgresql_connection.ping(settings)
    assert postgresql_backends(url, name) == 1
    assert redis_holder.get(settings).client is not redis_client
    await holder.close()
    await redis_holder.close()
