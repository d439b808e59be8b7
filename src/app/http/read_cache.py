"""Cache-aside for versioned entities (`X-Cache`) in Redis, failing open to the database.

Race: a reader that loaded version N before a write committed N+1 could store N after the
writer deleted the entry. So a write, after its commit, deletes the entry and leaves a short
fence holding N+1 (one atomic round trip); a reader stores its copy only when it is not older
than the fence. A reader that loaded N+1 or later is never held back.

A service reads through it in three steps: `lookup`, on a miss load from the database, then
`fill` the lookup with what it loaded; every write calls `invalidate` after its commit.
"""

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass

from loguru import logger
from pydantic import BaseModel, ValidationError

from app.core.secrets import store_configured
from app.core.settings import Settings
from app.db.redis.connection import guarded_client, redis_key, unavailable_errors
from app.http.openapi import openapi_header

X_CACHE_HEADER = {"X-Cache": openapi_header("HIT when served from the read cache, else MISS")}

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


@dataclass(slots=True)
class CacheLookup[ModelT: BaseModel]:
    """One read: `value` is the cached entity, or None on a miss (then `fill` it)."""

    cache: "VersionedReadCache[ModelT]"
    settings: Settings
    entry: str
    value: ModelT | None
    fillable: bool  # False when Redis is off or failed: no fill, one timeout is enough

    async def fill(self, value: ModelT) -> None:
        """Store what the database returned, unless a newer write fenced the entry."""
        if not self.fillable:
            return
        try:
            async with guarded_client(self.settings, "EVAL") as client:
                await client.eval(
                    _STORE_UNLESS_FENCED,
                    2,
                    self.entry,
                    f"{self.entry}:fence",
                    value.model_dump_json(),
                    self.cache.version(value),
                    self.settings.cache_ttl_seconds,
                )
        except unavailable_errors() as error:
            logger.warning("Cache fill skipped, Redis unavailable: {}", type(error).__name__)


class VersionedReadCache[ModelT: BaseModel]:
    """Caches one entity type's public model by id; `version` reads the model's version."""

    def __init__(self, name: str, model: type[ModelT], version: Callable[[ModelT], int]) -> None:
        self.name = name
        self.model = model
        self.version = version

    async def lookup(self, settings: Settings, entity_id: str) -> CacheLookup[ModelT]:
        entry = self.entry_key(settings, entity_id)
        if not store_configured(settings, "redis"):
            return CacheLookup(self, settings, entry, None, fillable=False)
        try:
            async with guarded_client(settings, "GET") as client:
                cached = await client.get(entry)
        except unavailable_errors() as error:
            logger.warning("Cache read skipped, Redis unavailable: {}", type(error).__name__)
            return CacheLookup(self, settings, entry, None, fillable=False)
        value = None
        if cached is not None:
            # An entry written by an older release with another schema counts as a miss.
            with suppress(ValidationError):
                value = self.model.model_validate_json(cached)
        return CacheLookup(self, settings, entry, value, fillable=True)

    async def invalidate(self, settings: Settings, entity_id: str, version: int | None) -> None:
        """Call after the write committed: `version` is the new one, None when deleted."""
        if not store_configured(settings, "redis"):
            return
        entry = self.entry_key(settings, entity_id)
        fence = _GONE if version is None else version
        try:
            async with (
                guarded_client(settings, "MULTI") as client,
                client.pipeline(transaction=True) as pipeline,
            ):
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
