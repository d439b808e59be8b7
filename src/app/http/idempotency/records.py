"""Idempotency-Key (IETF draft "The Idempotency-Key HTTP Header Field"): keys and records.

A record is claimed by the first request with a key (in flight), then holds that request's
final response for replay.
"""

import hashlib
import json
import re
from typing import Self

from pydantic import BaseModel, ConfigDict
from pydantic_core import to_json
from starlette.responses import Response

from app.core.context import get_trace_id
from app.http.asgi import BufferedResponse
from app.http.errors.codes import CommonInternalCode
from app.http.errors.exceptions import BadRequestError, ConflictError, UnprocessableError

IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
# Visible ASCII; the draft sends the key as a structured-field string, so quotes are optional.
KEY_PATTERN = r'^(?:"([!#-~]{1,255})"|([!#-~]{1,255}))$'
_KEY = re.compile(KEY_PATTERN)
# Response headers that are part of the result; trace and security headers are per request.
REPLAYED_HEADERS = frozenset({"content-type", "location", "etag"})


class StoredResponse(BaseModel):
    model_config = ConfigDict(ser_json_bytes="base64", val_json_bytes="base64")

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    @classmethod
    def of(cls, response: BufferedResponse) -> Self:
        headers = [
            (name.decode("latin-1"), value.decode("latin-1")) for name, value in response.headers
        ]
        return cls(
            status=response.status,
            headers=[(name, value) for name, value in headers if name.lower() in REPLAYED_HEADERS],
            body=response.body,
        )

    def replay(self) -> Response:
        headers = dict(self.headers) | {"Idempotent-Replayed": "true"}
        return Response(_with_current_trace_id(self.body), self.status, headers)


class IdempotencyRecord(BaseModel):
    fingerprint: str
    response: StoredResponse | None = None  # None while the first request is in flight


def parse_key(raw: str) -> str:
    match = _KEY.match(raw.strip())
    if match is None:
        raise BadRequestError(
            f"Invalid {IDEMPOTENCY_KEY_HEADER} header",
            details={"header": IDEMPOTENCY_KEY_HEADER, "expected": "1-255 visible ASCII chars"},
        )
    return match.group(1) or match.group(2)


def record_id(client: str, route: str, key: str) -> str:
    """Keys are scoped per client and per route; hashed to bound their length in the store."""
    return hashlib.sha256(f"{client}\n{route}\n{key}".encode()).hexdigest()


def fingerprint(method: str, path: str, query: bytes, body: bytes) -> str:
    digest = hashlib.sha256(f"{method} {path}?".encode())
    digest.update(query + b"\n" + body)
    return digest.hexdigest()


def key_in_flight() -> ConflictError:
    return ConflictError(
        "A request with this Idempotency-Key is still in progress; retry later",
        code=CommonInternalCode.IDEMPOTENCY_KEY_IN_FLIGHT,
        headers={"Retry-After": "1"},
    )


def key_reused() -> UnprocessableError:
    return UnprocessableError(
        "This Idempotency-Key was already used with a different request",
        code=CommonInternalCode.IDEMPOTENCY_KEY_REUSED,
    )


def _with_current_trace_id(body: bytes) -> bytes:
    """A replay is a new request: its envelope carries this request's trace id."""
    try:
        document = json.loads(body)
    except ValueError:
        return body
    if isinstance(document, dict) and "trace_id" in document:
        document["trace_id"] = get_trace_id()
        return to_json(document)
    return body
