"""The process-wide `redis.asyncio` client: created on first use, reused across invocations.

redis is imported inside functions only, so importing the app loads no driver.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.core.secrets import SecretUnavailableError, store_url
from app.core.settings import Settings
from app.db.lazy_client import LazyClient

if TYPE_CHECKING:
    from redis.asyncio import Redis


class RedisNotConfiguredError(RuntimeError):
    """Neither REDIS_URL nor REDIS_URL_SECRET_ID is set."""


@dataclass(frozen=True, slots=True)
class RedisOptions:
    url: str
    socket_timeout: float
    connect_timeout: float
    health_check_interval: int
    client_name: str

    @classmethod
    def from_settings(cls, settings: Settings) -> "RedisOptions":
        url = store_url(settings, "redis")
        if url is None:
            raise RedisNotConfiguredError("set REDIS_URL or REDIS_URL_SECRET_ID")
        return cls(
            url=url,
            socket_timeout=settings.redis_socket_timeout_seconds,
            connect_timeout=settings.redis_connect_timeout_seconds,
            health_check_interval=settings.redis_health_check_interval_seconds,
            client_name=f"{settings.service_name}-{settings.environment}",
        )


def _connect(options: RedisOptions) -> "Redis":
    from redis.asyncio import Redis
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError

    # One immediate retry, on connection errors only: it replaces a socket the server closed
    # while the sandbox was frozen. Timeouts are not retried, so a dead or silent server costs
    # one timeout per command rather than the driver's default three retries with backoff.
    retry = Retry(NoBackoff(), retries=1, supported_errors=(RedisConnectionError,))
    # No I/O here: the pool connects on the first command.
    return Redis.from_url(
        options.url,
        socket_timeout=options.socket_timeout,
        socket_connect_timeout=options.connect_timeout,
        health_check_interval=options.health_check_interval,
        retry=retry,
        client_name=options.client_name,
    )


async def _close(client: "Redis") -> None:
    await client.aclose()


shared = LazyClient(RedisOptions.from_settings, _connect, _close)


async def get_client(settings: Settings) -> "Redis":
    """The shared client; raises RedisNotConfiguredError without a URL."""
    return shared.get(settings)


def unavailable_errors() -> tuple[type[Exception], ...]:
    """What a down, slow or unreachable Redis raises (the driver's errors and a missing secret)."""
    from redis.exceptions import RedisError

    return (RedisError, SecretUnavailableError)


def redis_key(settings: Settings, *parts: str) -> str:
    """`{service}:{environment}:{parts...}`: every key this service writes is namespaced."""
    return ":".join((settings.service_name, settings.environment, *parts))


async def ping(settings: Settings) -> None:
    """Round trip to the server (readiness); raises the driver's error when it is unreachable."""
    client = await get_client(settings)
    await client.ping()
