"""The MongoDB client: configured from settings, its database, indexes, and a dead server."""

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError, ServerSelectionTimeoutError

from app.core.settings import Settings
from app.core.stores import StoreUnavailableError
from app.db.mongo import connection
from app.db.mongo.base import Document
from app.db.mongo.connection import (
    MongoConfigurationError,
    get_collection,
    ping,
    reading,
    writing,
)
from app.domains.reviews.models import ReviewDocument
from app.http.errors.mapping import to_api_exception
from tests.conftest import SettingsFactory

pytestmark = pytest.mark.mongo


async def get_database(settings: Settings) -> AsyncDatabase[Document]:
    return connection.shared.get(settings).database


async def test_the_client_answers(mongo_settings: Settings) -> None:
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


async def test_a_dead_server_fails_within_the_timeout(
    settings_factory: SettingsFactory, dead_mongo_url: str
) -> None:
    settings = settings_factory(mongo_url=dead_mongo_url, mongo_timeout_ms=300)
    started = time.perf_counter()

    with pytest.raises(ServerSelectionTimeoutError):
        await ping(settings)
    assert time.perf_counter() - started < 2


async def test_indexes_are_ensured_once_per_client(settings_factory: SettingsFactory) -> None:
    # A service name of its own: a new client, which has not ensured any index yet
    settings = settings_factory(service_name="index-check")
    collection = await get_collection(settings, ReviewDocument)
    indexes = await collection.index_information()
    assert indexes["book_newest_first"]["key"] == [("book_id", 1), ("created_at", -1), ("_id", -1)]

    await collection.drop_index("book_newest_first")
    await get_collection(settings, ReviewDocument)

    assert "book_newest_first" not in await collection.index_information()
    # The next client (as the suite's own, for the tests that follow) creates it again
    again = await get_collection(settings_factory(service_name="index-check-2"), ReviewDocument)
    assert "book_newest_first" in await again.index_information()


@pytest.mark.parametrize("block", [reading, writing])
async def test_a_block_is_bounded_as_a_whole(
    settings_factory: SettingsFactory, block: Callable[..., Any]
) -> None:
    settings = settings_factory(mongo_timeout_ms=400)

    async def ten_reads() -> None:
        # Each read alone is quick, but together they take longer than the bound
        async with block(settings, ReviewDocument) as collection:
            for _ in range(10):
                await collection.find_one({})
                await asyncio.sleep(0.1)

    started = time.perf_counter()
    with pytest.raises((StoreUnavailableError, PyMongoError)) as raised:
        await ten_reads()
    assert time.perf_counter() - started < 0.6
    api_error = to_api_exception(raised.value)
    assert api_error is not None
    assert (api_error.status_code, api_error.code.code) == (503, 9002)
