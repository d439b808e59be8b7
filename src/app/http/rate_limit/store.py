"""Request counting for the rate limit: one fixed-window counter per client, one round trip.

Windows are aligned to the clock (the window number is part of the key), so `RateLimit-Reset`
is known without reading the key's TTL, and the script's count gives `RateLimit-Remaining`.
"""

import math
import time

from loguru import logger

from app.core.settings import Settings
from app.db.redis.connection import guarded_client, redis_key, unavailable_errors
from app.http.rate_limit.middleware import RateLimitDecision

# KEYS: the window's counter. ARGV: the window in seconds. The first hit of a window starts
# its expiry, in the same atomic step as the count.
_HIT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
end
return count
"""


class RedisRateLimiter:
    """`rate_limit_requests` per client per `rate_limit_window_seconds`, counted in Redis."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def hit(self, client: str) -> RateLimitDecision | None:
        limit = self.settings.rate_limit_requests
        window = self.settings.rate_limit_window_seconds
        now = time.time()
        window_number = int(now // window)
        key = redis_key(self.settings, "ratelimit", client, str(window_number))
        try:
            async with guarded_client(self.settings, "EVAL") as redis:
                count = int(await redis.eval(_HIT, 1, key, window))
        except unavailable_errors() as error:
            logger.warning("Rate limit not applied, Redis unavailable: {}", type(error).__name__)
            return None
        return RateLimitDecision(
            allowed=count <= limit,
            limit=limit,
            remaining=max(0, limit - count),
            reset_seconds=max(1, math.ceil((window_number + 1) * window - now)),
        )
