"""Exception handlers registered on the app: every error leaves as the envelope."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from app.http.errors.codes import CommonInternalCode
from app.http.errors.exceptions import BaseApiRestException, UnprocessableError, error_response

# The framework's own errors; the code's description is the message.
_HTTP_STATUS_CODES = {
    404: CommonInternalCode.ROUTE_NOT_FOUND,
    405: CommonInternalCode.METHOD_NOT_ALLOWED,
    413: CommonInternalCode.PAYLOAD_TOO_LARGE,
}


def _field_errors(error: RequestValidationError) -> list[dict[str, Any]]:
    # Only loc/msg/type: `input` may echo secrets and `ctx` may hold exception objects.
    return [
        {
            "field": ".".join(str(part) for part in issue.get("loc", ())),
            "message": issue.get("msg", ""),
            "type": issue.get("type", ""),
        }
        for issue in error.errors()
    ]


async def _api_exception(_: Request, error: Exception) -> Response:
    assert isinstance(error, BaseApiRestException)
    return error_response(error)


async def _validation_exception(_: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    return error_response(UnprocessableError(details={"errors": _field_errors(error)}))


async def _http_exception(_: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    code = _HTTP_STATUS_CODES.get(error.status_code)
    message = code.description if code else str(error.detail)
    return error_response(
        BaseApiRestException(
            message,
            code=code or CommonInternalCode.HTTP_ERROR,
            headers=error.headers,
            status_code=error.status_code,
        )
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(BaseApiRestException, _api_exception)
    app.add_exception_handler(RequestValidationError, _validation_exception)
    app.add_exception_handler(HTTPException, _http_exception)
