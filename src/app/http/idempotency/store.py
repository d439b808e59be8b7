"""Idempotency records in Redis: claimed atomically, completed with the response, or released.

Unavailable Redis is a 503 here, never a silent pass: proceeding without the record could
create the same resource twice.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from app.core.settings import Settings
from app.db.redis.connection import guarded_client, redis_key, unavailable_errors
from app.http.errors.mapping import store_unavailable
from app.http.idempotency.records import IdempotencyRecord

# A claim outlives the longest request (API Gateway and the Lambda timeout end them at 30 s),
# and expires soon after, so the claim of a request that crashed does not block retries long.
IN_FLIGHT_SECONDS = 60

# KEYS: record. ARGV: in-flight record, ttl. SET NX EX, or the existing record, atomically.
_CLAIM = """
local existing = redis.call('GET', KEYS[1])
if existing then
  return existing
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return false
"""


class IdempotencyStore(Protocol):
    """Raises an API exception (503) when it cannot answer: a key must never be ignored."""

    async def claim(self, record_id: str, fingerprint: str) -> IdempotencyRecord | None:
        """Atomically claims `record_id` for this request (None) or returns its current record."""
        ...

    async def complete(self, record_id: str, record: IdempotencyRecord) -> None: ...

    async def release(self, record_id: str) -> None:
        """Forgets the claim so a retry can run (the request failed with a 5xx)."""
        ...


@contextmanager
def _unavailable_as_503() -> Iterator[None]:
    try:
        yield
    except unavailable_errors():
        raise store_unavailable("redis") from None


class RedisIdempotencyStore:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def claim(self, record_id: str, fingerprint: str) -> IdempotencyRecord | None:
        in_flight = IdempotencyRecord(fingerprint=fingerprint).model_dump_json()
        with _unavailable_as_503():
            async with guarded_client(self.settings, "EVAL") as client:
                existing = await client.eval(
                    _CLAIM, 1, self._key(record_id), in_flight, IN_FLIGHT_SECONDS
                )
        return None if existing is None else IdempotencyRecord.model_validate_json(existing)

    async def complete(self, record_id: str, record: IdempotencyRecord) -> None:
        with _unavailable_as_503():
            async with guarded_client(self.settings, "SET") as client:
                await client.set(
                    self._key(record_id),
                    record.model_dump_json(),
                    ex=self.settings.idempotency_ttl_seconds,
                )

    async def release(self, record_id: str) -> None:
        with _unavailable_as_503():
            async with guarded_client(self.settings, "DEL") as client:
                await client.delete(self._key(record_id))

    def _key(self, record_id: str) -> str:
        return redis_key(self.settings, "idempotency", record_id)
