"""API exceptions: each carries an internal code, its HTTP status, a message and details.

Raise them from services and middlewares; the error handlers answer each with the envelope.
A domain's own exceptions live in its `errors` module and only set `default_code` (and a
message when the code's description is not the best one for clients).
"""

from collections.abc import Mapping
from typing import Any, ClassVar

from starlette.responses import Response

from app.core import metrics
from app.http.envelope import envelope_response
from app.http.errors.codes import CommonInternalCode, InternalCodeBase

# Each store's 503s are counted on the request's line: the dashboard's "503s per store" and
# their alarms read these metrics (infra/template.yaml).
STORE_UNAVAILABLE_METRICS: dict[InternalCodeBase, str] = {
    CommonInternalCode.POSTGRESQL_UNAVAILABLE: "PostgresqlUnavailable",
    CommonInternalCode.MONGODB_UNAVAILABLE: "MongodbUnavailable",
    CommonInternalCode.REDIS_UNAVAILABLE: "RedisUnavailable",
}


class BaseApiRestException(Exception):
    """The status is the code's (or `status_code` when given, e.g. for framework errors)."""

    default_code: ClassVar[InternalCodeBase] = CommonInternalCode.UNKNOWN
    # None: the code's description is the message.
    default_message: ClassVar[str | None] = None

    def __init__(
        self,
        message: str | None = None,
        *,
        code: InternalCodeBase | None = None,
        details: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        status_code: int | None = None,
    ) -> None:
        self.code = code or self.default_code
        self.status_code: int = status_code or self.code.status or 500
        self.message = message or self.default_message or self.code.description
        self.details: dict[str, Any] = dict(details or {})
        self.headers: dict[str, str] = dict(headers or {})
        super().__init__(self.message)


class BadRequestError(BaseApiRestException):
    default_code = CommonInternalCode.INVALID_HEADER
    default_message = "Bad request"


class NotFoundError(BaseApiRestException):
    default_code = CommonInternalCode.RESOURCE_NOT_FOUND
    default_message = "Resource not found"


class ConflictError(BaseApiRestException):
    default_code = CommonInternalCode.CONFLICT
    default_message = "Resource conflict"


class PayloadTooLargeError(BaseApiRestException):
    default_code = CommonInternalCode.PAYLOAD_TOO_LARGE
    default_message = "Request body too large"


class UnprocessableError(BaseApiRestException):
    default_code = CommonInternalCode.PYDANTIC_VALIDATIONS_REQUEST
    default_message = "Request validation failed"


class TooManyRequestsError(BaseApiRestException):
    default_code = CommonInternalCode.RATE_LIMITED
    default_message = "Too many requests"


class UnauthenticatedError(BaseApiRestException):
    default_code = CommonInternalCode.UNAUTHENTICATED


class ForbiddenError(BaseApiRestException):
    default_code = CommonInternalCode.FORBIDDEN


class ServiceUnavailableError(BaseApiRestException):
    default_code = CommonInternalCode.DEPENDENCY_UNAVAILABLE
    default_message = "A dependency is unavailable, retry later"


def error_response(error: BaseApiRestException) -> Response:
    """The error's envelope; the request's line gets its code (and a store's 503 its count)."""
    metrics.answered_with(error.code.code)
    counted = STORE_UNAVAILABLE_METRICS.get(error.code)
    if counted is not None:
        metrics.count(counted)
    data = {"internal_error": error.code.as_dict(), "details": error.details}
    return envelope_response(
        data,
        status_code=error.status_code,
        message=error.message,
        success=False,
        headers=error.headers,
    )
