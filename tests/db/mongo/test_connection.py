"""The process-wide client: built lazily, reused, configured from settings, loop-aware."""

import asyncio
import threading
import time

import pytest
from pymongo.errors import ServerSelectionTimeoutError

from app.core.settings import Settings
from app.db.mongo.connection import (
    MongoConfigurationError,
    close_client,
    get_collection,
    get_database,
    ping,
)
from app.db.mongo.models.review import ReviewDocument
from tests.conftest import SettingsFactory

pytestmark = pytest.mark.mongo


async def test_the_client_is_built_once_and_reused(
    mongo_settings: Settings, settings_factory: SettingsFactory
) -> None:
    first = await get_database(mongo_settings)
    second = await get_database(settings_factory())

    assert second.client is first.client
    await ping(mongo_settings)


async def test_the_url_path_names_the_database_else_mongo_database(
    settings_factory: SettingsFactory,
) -> None:
    from_url = await get_database(
        settings_factory(mongo_url="mongodb://127.0.0.1:1/from_url", mongo_database="other")
    )
    from_setting = await get_database(
        settings_factory(mongo_url="mongodb://127.0.0.1:1", mongo_database="other")
    )

    assert (from_url.name, from_setting.name) == ("from_url", "other")


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [
        ({"mongo_url": None}, "MONGO_URL"),
        ({"mongo_url": "mongodb://127.0.0.1:1"}, "MONGO_DATABASE"),
    ],
)
async def test_missing_configuration_names_the_variable(
    settings_factory: SettingsFactory, overrides: dict[str, object], variable: str
) -> None:
    with pytest.raises(MongoConfigurationError, match=variable):
        await get_database(settings_factory(**overrides))


async def test_a_dead_server_fails_within_the_selection_timeout(
    settings_factory: SettingsFactory, dead_mongo_url: str
) -> None:
    settings = settings_factory(mongo_url=dead_mongo_url, mongo_server_selection_timeout_ms=300)
    started = time.perf_counter()

    with pytest.raises(ServerSelectionTimeoutError):
        await ping(settings)
    assert time.perf_counter() - started < 2


async def test_another_event_loop_gets_its_own_client(mongo_settings: Settings) -> None:
    # Given a client bound to this loop, when another thread's loop uses MongoDB
    session_client = (await get_database(mongo_settings)).client
    other_clients = []

    def other_loop() -> None:
        async def use() -> None:
            await ping(mongo_settings)
            other_clients.append((await get_database(mongo_settings)).client)
            await close_client()

        asyncio.run(use())

    thread = threading.Thread(target=other_loop)
    thread.start()
    thread.join()

    # Then it had its own client, and this loop gets a working one back
    assert other_clients[0] is not session_client
    await ping(mongo_settings)


async def test_indexes_are_ensured_once_per_client(mongo_settings: Settings) -> None:
    await close_client()
    collection = await get_collection(mongo_settings, ReviewDocument)
    indexes = await collection.index_information()
    assert indexes["book_newest_first"]["key"] == [("book_id", 1), ("created_at", -1), ("_id", -1)]

    await collection.drop_index("book_newest_first")
    await get_collection(mongo_settings, ReviewDocument)

    assert "book_newest_first" not in await collection.index_information()
    await close_client()
