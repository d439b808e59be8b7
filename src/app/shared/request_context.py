"""Per-request context (trace id, Lambda invocation facts) carried in contextvars."""

import re
import uuid
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# AWS request ids are trusted but may hold base64 characters such as "=" and "/".
_AWS_REQUEST_ID = re.compile(r"^[\x21-\x7e]{1,128}$")


@dataclass(frozen=True, slots=True)
class LambdaInvocation:
    aws_request_id: str
    function_name: str
    cold_start: bool


trace_id_var: ContextVar[str | None] = ContextVar("trace_id", default=None)
lambda_invocation_var: ContextVar[LambdaInvocation | None] = ContextVar(
    "lambda_invocation", default=None
)

# Set by the Lambda handler per invocation; the error middleware appends what it swallowed,
# so the handler can re-raise it when LAMBDA_RERAISE_UNHANDLED is on.
unhandled_errors_var: ContextVar[list[BaseException] | None] = ContextVar(
    "unhandled_errors", default=None
)


def get_trace_id() -> str:
    """The current request's trace id; outside a request a fresh one, so it is never empty."""
    return trace_id_var.get() or new_trace_id()


def new_trace_id() -> str:
    return str(uuid.uuid4())


def resolve_trace_id(scope: Mapping[str, Any]) -> str:
    """Client `X-Request-ID` when sane, else the Lambda request id, else a new UUID."""
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            candidate: str = value.decode("latin-1")
            if _SANE_REQUEST_ID.match(candidate):
                return candidate
            break
    request_context = lambda_request_context(scope)
    if request_context is not None:
        request_id: object = request_context.get("requestId")
        if isinstance(request_id, str) and _AWS_REQUEST_ID.match(request_id):
            return request_id
    context = scope.get("aws.context")
    aws_request_id = getattr(context, "aws_request_id", None)
    if isinstance(aws_request_id, str) and _AWS_REQUEST_ID.match(aws_request_id):
        return aws_request_id
    return new_trace_id()


def lambda_request_context(scope: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The Lambda event's `requestContext` (API Gateway, ALB, Function URL) when Mangum set one."""
    event = scope.get("aws.event")
    request_context = event.get("requestContext") if isinstance(event, Mapping) else None
    return request_context if isinstance(request_context, Mapping) else None
