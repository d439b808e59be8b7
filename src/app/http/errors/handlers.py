"""Exception handlers registered on the app: every error leaves as the envelope."""

from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException
from starlette.responses import Response

from app.http.asgi import route_path
from app.http.errors.codes import CommonInternalCode
from app.http.errors.exceptions import BaseApiRestException, UnprocessableError, error_response

# The framework's own errors; the code's description is the message.
_HTTP_STATUS_CODES = {
    404: CommonInternalCode.ROUTE_NOT_FOUND,
    405: CommonInternalCode.METHOD_NOT_ALLOWED,
    413: CommonInternalCode.PAYLOAD_TOO_LARGE,
}


def field_errors(issues: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The details of validation errors (pydantic's `errors()`): each offending field, what is
    wrong and the error type. Only loc/msg/type: `input` may echo secrets and `ctx` may hold
    exception objects."""
    return [
        {
            "field": ".".join(str(part) for part in issue.get("loc", ())),
            "message": issue.get("msg", ""),
            "type": issue.get("type", ""),
        }
        for issue in issues
    ]


async def _api_exception(_: Request, error: Exception) -> Response:
    assert isinstance(error, BaseApiRestException)
    return error_response(error)


async def _validation_exception(_: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    return error_response(UnprocessableError(details={"errors": field_errors(error.errors())}))


async def _http_exception(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    malformed = _unparsable_body(error)
    if malformed is not None:
        return error_response(malformed)
    code = _HTTP_STATUS_CODES.get(error.status_code)
    message = code.description if code else str(error.detail)
    headers = dict(error.headers or {})
    if error.status_code == 405:
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return error_response(
        BaseApiRestException(
            message,
            code=code or CommonInternalCode.HTTP_ERROR,
            headers=headers,
            status_code=error.status_code,
        )
    )


def _unparsable_body(error: HTTPException) -> UnprocessableError | None:
    """FastAPI answers 400 when `json.loads` rejects a body with anything but a decode error:
    invalid UTF-8, nesting past the recursion limit, an integer over Python's digit limit (and
    the body limit raises the same for UTF-16 or UTF-32 JSON, which `json.loads` would read).
    The contract answers every malformed body alike: 422/8001."""
    cause = error.__cause__
    if error.status_code != 400 or not isinstance(cause, ValueError | RecursionError):
        return None
    if isinstance(cause, UnicodeDecodeError):
        reason = "the body is not valid UTF-8"
    elif isinstance(cause, UnicodeError):
        reason = str(cause)
    elif isinstance(cause, RecursionError):
        reason = "JSON nested too deeply"
    else:
        reason = f"JSON value cannot be read: {str(cause).split(':')[0]}"
    issue = {"field": "body", "message": reason, "type": "json_invalid"}
    return UnprocessableError(details={"errors": [issue]})


def _allowed_methods(request: Request) -> list[str]:
    """Every method of every route on this path: the router's own 405 names only the first
    route that matched, and FastAPI makes one route per method."""
    path = route_path(request.scope)
    return sorted(
        {
            method
            for route in iter_route_contexts(request.app.routes)
            if route.methods and route.path_regex.match(path)
            for method in route.methods
        }
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(BaseApiRestException, _api_exception)
    app.add_exception_handler(RequestValidationError, _validation_exception)
    app.add_exception_handler(HTTPException, _http_exception)
