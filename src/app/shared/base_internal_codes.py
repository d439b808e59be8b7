"""Internal error codes: an int code and a description, unique across the service."""

from enum import Enum


class InternalCodeBase(Enum):
    """Members are `NAME = code, "description"`; subclasses group codes by domain."""

    code: int
    description: str

    def __init__(self, code: int, description: str) -> None:
        self.code = code
        self.description = description

    def as_dict(self) -> dict[str, int | str]:
        return {"code": self.code, "description": self.description}


class CommonInternalCode(InternalCodeBase):
    """Codes any route can answer with; the HTTP status each goes with is in docs/error-codes.md."""

    UNKNOWN = 100, "Unknown error"
    PYDANTIC_VALIDATIONS_REQUEST = 8001, "Failed Pydantic validations on request"
    ROUTE_NOT_FOUND = 8002, "Route not found"
    METHOD_NOT_ALLOWED = 8003, "Method not allowed"
    PAYLOAD_TOO_LARGE = 8004, "Request body too large"
    RATE_LIMITED = 8005, "Too many requests"
    HTTP_ERROR = 8006, "HTTP error"
    IDEMPOTENCY_KEY_IN_FLIGHT = 8007, "A request with this Idempotency-Key is still in progress"
    IDEMPOTENCY_KEY_REUSED = 8008, "Idempotency-Key was already used with a different request"
    INVALID_HEADER = 8009, "Invalid request header"
    CONFLICT = 8010, "Resource conflict"
    RESOURCE_NOT_FOUND = 8011, "Resource not found"
    DEPENDENCY_UNAVAILABLE = 9000, "A dependency is unavailable"
    POSTGRESQL_UNAVAILABLE = 9001, "PostgreSQL is unavailable or timed out"
    MONGODB_UNAVAILABLE = 9002, "MongoDB is unavailable or timed out"
    REDIS_UNAVAILABLE = 9003, "Redis is unavailable or timed out"
    NOT_READY = 9004, "Service is not ready"
