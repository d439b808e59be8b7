"""The rate-limit counter against a real Redis: per client, per clock-aligned window, expiring."""

from typing import TYPE_CHECKING, Any

from app.http.rate_limit.store import RedisRateLimiter
from tests.conftest import SettingsFactory

if TYPE_CHECKING:
    from redis.asyncio import Redis


async def test_hits_are_counted_per_client_and_each_window_expires(
    settings_factory: SettingsFactory, redis_overrides: dict[str, Any], redis_client: "Redis"
) -> None:
    settings = settings_factory(
        **redis_overrides, rate_limit_requests=2, rate_limit_window_seconds=60
    )
    limiter = RedisRateLimiter(settings)

    decisions = [await limiter.hit("ip:192.0.2.1") for _ in range(3)]
    other = await limiter.hit("ip:192.0.2.2")

    assert [(d.allowed, d.remaining) for d in decisions if d] == [(True, 1), (True, 0), (False, 0)]
    assert other is not None
    assert (other.allowed, other.remaining) == (True, 1)
    assert all(d is not None and 1 <= d.reset_seconds <= 60 for d in decisions)
    # One counter per client and window, each expiring with its window.
    keys = [key async for key in redis_client.scan_iter(f"{settings.service_name}:*ratelimit*")]
    assert len(keys) == 2
    assert all(0 < ttl <= 60 for ttl in [await redis_client.ttl(key) for key in keys])
