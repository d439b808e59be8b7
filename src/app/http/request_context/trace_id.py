"""The request's trace id: the client's sane `X-Request-ID`, the Lambda request id, or new."""

import re
from collections.abc import Mapping
from typing import Any

from app.core.context import new_trace_id
from app.http.asgi import lambda_request_context

_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# AWS request ids are trusted but may hold base64 characters such as "=" and "/".
_AWS_REQUEST_ID = re.compile(r"^[\x21-\x7e]{1,128}$")


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
