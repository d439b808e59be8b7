"""Internal error codes: each a unique int with the HTTP status it is answered with.

`CommonInternalCode` holds the codes any route can answer with. Each domain owns one block of a
thousand codes in its own `errors` module; docs/error-codes.md is generated from all of them
(`make codes`).
"""

from enum import Enum


class InternalCodeBase(Enum):
    """Members are `NAME = code, HTTP status, description[, when]`.

    The description is the message clients see; `when` (for the docs) says when it is used.
    A status of None means the code goes with whatever status the error was raised with.
    """

    code: int
    status: int | None
    description: str
    when: str

    def __init__(self, code: int, status: int | None, description: str, when: str = "") -> None:
        self.code = code
        self.status = status
        self.description = description
        self.when = when or description

    def as_dict(self) -> dict[str, int | str]:
        return {"code": self.code, "description": self.description}


class CommonInternalCode(InternalCodeBase):
    UNKNOWN = (
        100,
        500,
        "Unknown error",
        "an unexpected error; no internal detail is exposed (logged with traceback, to Sentry)",
    )
    PYDANTIC_VALIDATIONS_REQUEST = (
        8001,
        422,
        "Failed Pydantic validations on request",
        "validation failed: malformed, non-UTF-8 or missing JSON body, bad field, unknown field,"
        " bad query",
    )
    ROUTE_NOT_FOUND = 8002, 404, "Route not found", "no route matches the path"
    METHOD_NOT_ALLOWED = (
        8003,
        405,
        "Method not allowed",
        "the path exists but not for this method (`Allow` lists every method of the path)",
    )
    PAYLOAD_TOO_LARGE = (
        8004,
        413,
        "Request body too large",
        "the body is over `MAX_REQUEST_BODY_BYTES` (declared or actually received)",
    )
    RATE_LIMITED = (
        8005,
        429,
        "Too many requests",
        "over `RATE_LIMIT_REQUESTS` per `RATE_LIMIT_WINDOW_SECONDS` (`Retry-After`, `RateLimit-*`)",
    )
    HTTP_ERROR = 8006, None, "HTTP error", "any other HTTP error raised by the framework"
    IDEMPOTENCY_KEY_IN_FLIGHT = (
        8007,
        409,
        "A request with this Idempotency-Key is still in progress",
        "a request with this `Idempotency-Key` is still running",
    )
    IDEMPOTENCY_KEY_REUSED = (
        8008,
        422,
        "Idempotency-Key was already used with a different request",
        "this `Idempotency-Key` was used with a different request body",
    )
    INVALID_HEADER = (
        8009,
        400,
        "Invalid request header",
        "a request header is malformed (e.g. `Idempotency-Key`, `If-Match`)",
    )
    CONFLICT = 8010, 409, "Resource conflict", "a uniqueness conflict not covered by a domain code"
    RESOURCE_NOT_FOUND = (
        8011,
        404,
        "Resource not found",
        "a resource not covered by a domain code",
    )
    UNAUTHENTICATED = (
        8012,
        401,
        "Authentication required",
        "no bearer token, or one that is not valid (`WWW-Authenticate: Bearer`)",
    )
    FORBIDDEN = (
        8013,
        403,
        "Forbidden",
        "the token lacks the route's scope (`WWW-Authenticate` names it)",
    )
    MALFORMED_EVENT = (
        8014,
        400,
        "Malformed Lambda event",
        "on Lambda: an event from API Gateway, an ALB or a Function URL that cannot be read as a"
        " request (a field of the wrong type or missing, a bad `Host` port, a body that is not"
        " a string or not valid base64); `details.event` says what",
    )
    DEPENDENCY_UNAVAILABLE = (
        9000,
        503,
        "A dependency is unavailable",
        "a dependency other than the stores below is unavailable",
    )
    POSTGRESQL_UNAVAILABLE = (
        9001,
        503,
        "PostgreSQL is unavailable or timed out",
        "PostgreSQL refused, timed out or dropped the connection (`Retry-After`)",
    )
    MONGODB_UNAVAILABLE = (
        9002,
        503,
        "MongoDB is unavailable or timed out",
        "MongoDB server selection or an operation timed out (`Retry-After`)",
    )
    REDIS_UNAVAILABLE = (
        9003,
        503,
        "Redis is unavailable or timed out",
        "Redis is down and the request cannot safely go on (an `Idempotency-Key` was sent)",
    )
    NOT_READY = (
        9004,
        503,
        "Service is not ready",
        "`/health/ready`: a configured store did not answer",
    )
    TOKEN_KEYS_UNAVAILABLE = (
        9005,
        503,
        "The token issuer's keys are unavailable",
        "the issuer's JWKS could not be fetched to verify a token (`Retry-After`)",
    )
    QUEUE_UNAVAILABLE = (
        9006,
        503,
        "The message queue is unavailable",
        "the route could not queue its messages: its queue URL setting is unset or SQS could not "
        "be reached; `details` lists the items not queued (`Retry-After`)",
    )
