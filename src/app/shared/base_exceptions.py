"""API exceptions: each carries its HTTP status, internal code, message and details."""

from collections.abc import Mapping
from typing import Any, ClassVar

from app.shared.base_internal_codes import CommonInternalCode, InternalCodeBase


class BaseApiRestException(Exception):
    """Raise from any layer; the error handlers turn it into one envelope response."""

    status_code: int = 500
    default_code: ClassVar[InternalCodeBase] = CommonInternalCode.UNKNOWN
    default_message: ClassVar[str] = "Internal server error"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: InternalCodeBase | None = None,
        details: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        status_code: int | None = None,
    ) -> None:
        if status_code is not None:
            self.status_code = status_code
        self.message = message or self.default_message
        self.code = code or self.default_code
        self.details: dict[str, Any] = dict(details or {})
        self.headers: dict[str, str] = dict(headers or {})
        super().__init__(self.message)


class BadRequestError(BaseApiRestException):
    status_code = 400
    default_code: ClassVar[InternalCodeBase] = CommonInternalCode.INVALID_HEADER
    default_message = "Bad request"


class NotFoundError(BaseApiRestException):
    status_code = 404
    default_code: ClassVar[InternalCodeBase] = CommonInternalCode.RESOURCE_NOT_FOUND
    default_message = "Resource not found"


class ConflictError(BaseApiRestException):
    status_code = 409
    default_code: ClassVar[InternalCodeBase] = CommonInternalCode.CONFLICT
    default_message = "Resource conflict"


class PreconditionFailedError(BaseApiRestException):
    status_code = 412
    default_code: ClassVar[InternalCodeBase] = CommonInternalCode.HTTP_ERROR
    default_message = "Precondition failed"


class PayloadTooLargeError(BaseApiRestException):
    status_code = 413
    default_code: ClassVar[InternalCodeBase] = CommonInternalCode.PAYLOAD_TOO_LARGE
    default_message = "Request body too large"


class UnprocessableError(BaseApiRestException):
    status_code = 422
    default_code: ClassVar[InternalCodeBase] = CommonInternalCode.PYDANTIC_VALIDATIONS_REQUEST
    default_message = "Request validation failed"


class TooManyRequestsError(BaseApiRestException):
    status_code = 429
    default_code: ClassVar[InternalCodeBase] = CommonInternalCode.RATE_LIMITED
    default_message = "Too many requests"


class ServiceUnavailableError(BaseApiRestException):
    status_code = 503
    default_code: ClassVar[InternalCodeBase] = CommonInternalCode.DEPENDENCY_UNAVAILABLE
    default_message = "A dependency is unavailable, retry later"
