"""`close_clients`: closes the clients the process opened, and imports no store it did not use."""

import sys

import pytest
import redis

from app.db import close_clients
from app.db.lazy_client import LazyClient
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
