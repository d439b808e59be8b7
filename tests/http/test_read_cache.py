"""The versioned read cache against a real Redis: hits, invalidation, the refill race, outages."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from app.core.settings import Settings
from app.http.read_cache import WRITE_FENCE_SECONDS, VersionedReadCache
from tests.conftest import SettingsFactory

if TYPE_CHECKING:
    from redis.asyncio import Redis


class Thing(BaseModel):
    id: str
    name: str
    version: int


CACHE = VersionedReadCache("thing", Thing, version=lambda thing: thing.version)


async def read(
    settings: Settings, entity_id: str, load: Callable[[], Awaitable[Thing]]
) -> tuple[Thing, bool]:
    """What a service does: look up, on a miss load from the database and fill."""
    lookup = await CACHE.lookup(settings, entity_id)
    if lookup.value is not None:
        return lookup.value, True
    value = await load()
    await lookup.fill(value)
    return value, False


class Database:
    """Stands in for the store of record: counts reads, can run a write during a read."""

    def __init__(self, thing: Thing) -> None:
        self.thing = thing
        self.reads = 0

    async def load(self) -> Thing:
        self.reads += 1
        return self.thing


async def test_miss_then_hit_then_miss_after_invalidation(redis_settings: Settings) -> None:
    database = Database(Thing(id="1", name="first", version=1))

    assert await read(redis_settings, "1", database.load) == (database.thing, False)
    assert await read(redis_settings, "1", database.load) == (database.thing, True)
    assert database.reads == 1

    database.thing = Thing(id="1", name="second", version=2)
    await CACHE.invalidate(redis_settings, "1", version=2)
    assert await read(redis_settings, "1", database.load) == (database.thing, False)
    assert await read(redis_settings, "1", database.load) == (database.thing, True)


async def test_entries_expire_after_the_cache_ttl(
    settings_factory: SettingsFactory, redis_overrides: dict[str, Any]
) -> None:
    settings = settings_factory(**redis_overrides, cache_ttl_seconds=1)
    database = Database(Thing(id="1", name="first", version=1))
    await read(settings, "1", database.load)
    await asyncio.sleep(1.1)
    assert await read(settings, "1", database.load) == (database.thing, False)


async def test_a_reader_that_loaded_before_a_write_cannot_store_the_old_version(
    redis_settings: Settings,
) -> None:
    # Given a reader whose database read returns version 1 while a writer commits version 2
    # and invalidates before the reader stores its copy
    old = Thing(id="1", name="old", version=1)

    async def load_then_writer_commits() -> Thing:
        await CACHE.invalidate(redis_settings, "1", version=2)
        return old

    # When the reader finishes
    assert await read(redis_settings, "1", load_then_writer_commits) == (old, False)
    # Then the old version was not cached, and the next reader caches the new one
    new = Database(Thing(id="1", name="new", version=2))
    assert await read(redis_settings, "1", new.load) == (new.thing, False)
    assert await read(redis_settings, "1", new.load) == (new.thing, True)


async def test_a_deleted_entity_is_not_refilled_by_a_late_reader(
    redis_settings: Settings,
) -> None:
    late = Database(Thing(id="1", name="deleted meanwhile", version=7))
    await CACHE.invalidate(redis_settings, "1", version=None)
    assert await read(redis_settings, "1", late.load) == (late.thing, False)
    assert await read(redis_settings, "1", late.load) == (late.thing, False)
    assert late.reads == 2


async def test_the_write_fence_is_short_lived(
    redis_settings: Settings, redis_client: "Redis"
) -> None:
    await CACHE.invalidate(redis_settings, "1", version=3)
    fence = f"{redis_settings.service_name}:testing:cache:thing:{{1}}:fence"
    assert await redis_client.get(fence) == b"3"
    assert 0 < await redis_client.ttl(fence) <= WRITE_FENCE_SECONDS


async def test_an_entry_of_another_schema_is_reloaded(
    redis_settings: Settings, redis_client: "Redis"
) -> None:
    await redis_client.set(CACHE.entry_key(redis_settings, "1"), b'{"old": "shape"}')
    database = Database(Thing(id="1", name="current", version=1))
    assert await read(redis_settings, "1", database.load) == (database.thing, False)
    assert await read(redis_settings, "1", database.load) == (database.thing, True)


async def test_redis_down_reads_the_database_and_writes_still_succeed(
    settings_factory: SettingsFactory, closed_port_redis_url: str
) -> None:
    settings = settings_factory(redis_url=closed_port_redis_url)
    database = Database(Thing(id="1", name="first", version=1))
    started = time.perf_counter()
    assert await read(settings, "1", database.load) == (database.thing, False)
    await CACHE.invalidate(settings, "1", version=2)
    assert time.perf_counter() - started < 2


async def test_without_redis_configured_the_cache_is_off(settings_factory: SettingsFactory) -> None:
    settings = settings_factory(redis_url=None, redis_url_secret_id=None)
    database = Database(Thing(id="1", name="first", version=1))
    assert await read(settings, "1", database.load) == (database.thing, False)
    assert await read(settings, "1", database.load) == (database.thing, False)
    await CACHE.invalidate(settings, "1", version=2)
