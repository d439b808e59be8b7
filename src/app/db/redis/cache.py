"""Cache-aside for versioned entities (`X-Cache`), failing open to the database.

Race: a reader that loaded version N before a write committed N+1 could store N after the
writer deleted the entry. So a write, after its commit, deletes the entry and leaves a short
fence holding N+1 (one atomic round trip); a reader stores its copy only when it is not older
than the fence. A reader that loaded N+1 or later is never held back.
"""

from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import TYPE_CHECKING

from loguru import logger
from pydantic import BaseModel, ValidationError

from app.core.secrets import store_configured
from app.core.settings import Settings
from app.db.redis.connection import get_client, redis_key, unavailable_errors

if TYPE_CHECKING:
    from redis.asyncio import Redis

# Outlives any reader that loaded before a commit and has yet to store (requests end at 30 s).
WRITE_FENCE_SECONDS = 120
# A fence of "gone" (the entity was deleted) holds back every reader.
_GONE = "gone"

# KEYS: entry, fence. ARGV: value, version, ttl. Stores unless the fence is newer.
_STORE_UNLESS_FENCED = """
local fence = redis.call('GET', KEYS[2])
if fence and (fence == 'gone' or tonumber(ARGV[2]) < tonumber(fence)) then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1
"""


class VersionedReadCache[ModelT: BaseModel]:
    """Caches one entity type's public model by id; `version` reads the model's version."""

    def __init__(self, name: str, model: type[ModelT], version: Callable[[ModelT], int]) -> None:
        self.name = name
        self.model = model
        self.version = version

    async def read(
        self, settings: Settings, entity_id: str, load: Callable[[], Awaitable[ModelT]]
    ) -> tuple[ModelT, bool]:
        """The entity and whether it came from the cache; `load` reads the database."""
        if not store_configured(settings, "redis"):
            return await load(), False
        entry = self.entry_key(settings, entity_id)
        client: Redis | None = None
        cached = None
        try:
            client = await get_client(settings)
            cached = await client.get(entry)
        except unavailable_errors() as error:
            logger.warning("Cache read skipped, Redis unavailable: {}", type(error).__name__)
            client = None  # and no fill: one timeout per request is enough
        if cached is not None:
            # An entry written by an older release with another schema is reloaded below.
            with suppress(ValidationError):
                return self.model.model_validate_json(cached), True
        value = await load()
        if client is not None:
            await self._fill(client, settings, entry, value)
        return value, False

    async def _fill(self, client: "Redis", settings: Settings, entry: str, value: ModelT) -> None:
        try:
            await client.eval(
                _STORE_UNLESS_FENCED,
                2,
                entry,
                f"{entry}:fence",
                value.model_dump_json(),
                self.version(value),
                settings.cache_ttl_seconds,
            )
        except unavailable_errors() as error:
            logger.warning("Cache fill skipped, Redis unavailable: {}", type(error).__name__)

    async def invalidate(self, settings: Settings, entity_id: str, version: int | None) -> None:
        """Call after the write committed: `version` is the new one, None when deleted."""
        if not store_configured(settings, "redis"):
            return
        entry = self.entry_key(settings, entity_id)
        fence = _GONE if version is None else version
        try:
            client = await get_client(settings)
            async with client.pipeline(transaction=True) as pipeline:
                pipeline.delete(entry)
                pipeline.set(f"{entry}:fence", fence, ex=WRITE_FENCE_SECONDS)
                await pipeline.execute()
        except unavailable_errors() as error:
            # The write stands; readers may see the previous version until the entry expires.
            logger.warning(
                "Cache invalidation of {} {} failed, Redis unavailable: {}",
                self.name,
                entity_id,
                type(error).__name__,
            )

    def entry_key(self, settings: Settings, entity_id: str) -> str:
        # The id is a hash tag: the entry and its fence share a cluster slot, as the fill
        # script and the invalidation transaction touch both.
        return redis_key(settings, "cache", self.name, f"{{{entity_id}}}")
