"""Request counting for the rate limit: `limits` over the shared Redis client, one round trip.

limits' fixed-window strategy is `storage.incr(key, window) <= limit` (INCRBY + EXPIRE in one
Lua script). We call that storage operation directly to keep the count, so one round trip also
yields `RateLimit-Remaining`; and windows are aligned to the clock (the window number is part
of the key), so `RateLimit-Reset` is known without reading the key's TTL.
"""

import math
import time
from typing import TYPE_CHECKING

from loguru import logger

from app.core.settings import Settings
from app.db.redis.connection import get_client, redis_key, unavailable_errors
from app.shared.middlewares.rate_limit import RateLimitDecision

if TYPE_CHECKING:
    from limits.aio.storage import RedisStorage
    from redis.asyncio import Redis


class RedisRateLimiter:
    """`rate_limit_requests` per client per `rate_limit_window_seconds`, counted in Redis."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._storage: tuple[Redis, RedisStorage] | None = None

    async def hit(self, client: str) -> RateLimitDecision | None:
        from limits import RateLimitItemPerSecond

        limit = self.settings.rate_limit_requests
        window = self.settings.rate_limit_window_seconds
        now = time.time()
        window_number = int(now // window)
        item = RateLimitItemPerSecond(limit, window)
        try:
            storage = await self._storage_for_current_client()
            count = await storage.incr(item.key_for(client, str(window_number)), window)
        except unavailable_errors() as error:
            logger.warning("Rate limit not applied, Redis unavailable: {}", type(error).__name__)
            return None
        return RateLimitDecision(
            allowed=count <= limit,
            limit=limit,
            remaining=max(0, limit - count),
            reset_seconds=max(1, math.ceil((window_number + 1) * window - now)),
        )

    async def _storage_for_current_client(self) -> "RedisStorage":
        client = await get_client(self.settings)
        if self._storage is None or self._storage[0] is not client:
            from limits.aio.storage import RedisStorage

            # The URI only selects the redis-py backend: the shared pool carries the address,
            # credentials and timeouts, so limits opens no connections of its own.
            storage = RedisStorage(
                "async+redis://",
                implementation="redispy",
                key_prefix=redis_key(self.settings, "ratelimit"),
                connection_pool=client.connection_pool,  # type: ignore[arg-type]
            )
            self._storage = (client, storage)
        return self._storage[1]
