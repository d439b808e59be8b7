"""The process-wide `redis.asyncio` client: created on first use, reused across invocations.

redis is imported inside functions only, so importing the app loads no driver.
"""

from collections.abc import AsyncIterator
from contextlib import AbstractContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.core.secrets import SecretUnavailableError, store_url
from app.core.settings import Settings
from app.core.stores import StoreUnavailableError
from app.core.tracing import client_span, server_attributes
from app.db.breaker import CircuitBreaker, CircuitOpenError
from app.db.lazy_client import LazyClient
from app.db.refused_login import forget_refused_login

if TYPE_CHECKING:
    from opentelemetry.trace import Span
    from redis.asyncio import Redis


class RedisNotConfiguredError(StoreUnavailableError):
    """Neither REDIS_URL nor REDIS_URL_SECRET_ID is set: a deployment without this store
    answers its 503 on the routes that need it (and logs this message)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "redis")


@dataclass(frozen=True, slots=True)
class RedisOptions:
    url: str
    socket_timeout: float
    connect_timeout: float
    health_check_interval: int
    client_name: str
    breaker_failures: int
    breaker_cooldown_seconds: float

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
            breaker_failures=settings.redis_breaker_failures,
            breaker_cooldown_seconds=settings.redis_breaker_cooldown_seconds,
        )


@dataclass(frozen=True, slots=True)
class Connection:
    client: "Redis"
    breaker: CircuitBreaker
    span_attributes: dict[str, str | int]  # every command's span's


def _connect(options: RedisOptions) -> Connection:
    from redis.asyncio import Redis
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError

    # One immediate retry, on connection errors only: it replaces a socket the server closed
    # while the sandbox was frozen. Timeouts are not retried, so a dead or silent server costs
    # one timeout per command rather than the driver's default three retries with backoff.
    retry = Retry(NoBackoff(), retries=1, supported_errors=(RedisConnectionError,))
    # No I/O here: the pool connects on the first command.
    client = Redis.from_url(
        options.url,
        socket_timeout=options.socket_timeout,
        socket_connect_timeout=options.connect_timeout,
        health_check_interval=options.health_check_interval,
        retry=retry,
        client_name=options.client_name,
    )
    breaker = CircuitBreaker("redis", options.breaker_failures, options.breaker_cooldown_seconds)
    attributes = {
        "db.system": "redis",
        "db.redis.database_index": int(client.connection_pool.connection_kwargs.get("db", 0)),
        **server_attributes(options.url),
    }
    return Connection(client, breaker, attributes)


async def _close(connection: Connection) -> None:
    await connection.client.aclose()


shared = LazyClient(RedisOptions.from_settings, _connect, _close)


async def get_client(settings: Settings) -> "Redis":
    """The shared client, without the circuit breaker (readiness, tests); raises
    RedisNotConfiguredError without a URL."""
    return shared.get(settings).client


@asynccontextmanager
async def guarded_client(settings: Settings, operation: str) -> AsyncIterator["Redis"]:
    """The shared client for the one command (or MULTI transaction) `operation` of a block,
    behind the circuit breaker: after REDIS_BREAKER_FAILURES timeouts or connection errors in
    a row, it raises `CircuitOpenError` at once for REDIS_BREAKER_COOLDOWN_SECONDS instead of
    letting each call wait for Redis (app.db.breaker). The command is a span (app.core.tracing)."""
    from redis.exceptions import AuthenticationError, RedisError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    connection = shared.get(settings)
    breaker = connection.breaker
    breaker.before_call()
    try:
        with _command_span(connection, operation):
            yield connection.client
    except (RedisConnectionError, RedisTimeoutError) as error:
        breaker.failed()
        if isinstance(error, AuthenticationError):
            await forget_refused_login(settings, "redis", shared)
        raise
    except RedisError:
        breaker.succeeded()  # an error answer (a script error, ...): Redis is there
        raise
    except BaseException:
        breaker.abandoned()
        raise
    breaker.succeeded()


def _command_span(connection: Connection, operation: str) -> AbstractContextManager["Span"]:
    return client_span(operation, {**connection.span_attributes, "db.operation": operation})


def unavailable_errors() -> tuple[type[Exception], ...]:
    """What a down, slow or unreachable Redis raises: the driver's errors, a missing secret,
    and the open circuit breaker."""
    from redis.exceptions import RedisError

    return (RedisError, SecretUnavailableError, CircuitOpenError)


def redis_key(settings: Settings, *parts: str) -> str:
    """`{service}:{environment}:{parts...}`: every key this service writes is namespaced."""
    return ":".join((settings.service_name, settings.environment, *parts))


async def ping(settings: Settings) -> None:
    """Round trip to the server (readiness); raises the driver's error when it is unreachable."""
    connection = shared.get(settings)
    with _command_span(connection, "PING"):
        await connection.client.ping()
