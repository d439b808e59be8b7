"""The response envelope and the one builder every response goes through."""

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_json
from starlette.responses import Response

from app.core.context import get_trace_id

DataT = TypeVar("DataT")

SUCCESS_MESSAGE = "Operation successful"


class EnvelopeResponse[DataT](BaseModel):
    # Responses are serialised from plain data by `envelope_response`; these models describe
    # them in OpenAPI. Their schemas (one per route and status) are built on first use, not
    # during the Lambda init.
    model_config = ConfigDict(defer_build=True)

    success: bool = Field(examples=[True])
    message: str = Field(examples=[SUCCESS_MESSAGE])
    data: DataT | None = None
    trace_id: str = Field(examples=["3f1c2a9e-6c5b-4c1e-9a53-0d2b7b0a4b11"])


class InternalError(BaseModel):
    code: int = Field(examples=[100])
    description: str = Field(examples=["Unknown error"])


class ErrorData(BaseModel):
    internal_error: InternalError
    details: dict[str, Any] = Field(default_factory=dict)


class ErrorEnvelope(EnvelopeResponse[ErrorData]):
    success: bool = Field(default=False, examples=[False])


def envelope_response(
    data: Any = None,
    *,
    status_code: int = 200,
    message: str = SUCCESS_MESSAGE,
    success: bool = True,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Serialise `data` (models, dicts, lists, None) into the envelope as a JSON response."""
    body = to_json(
        {"success": success, "message": message, "data": data, "trace_id": get_trace_id()}
    )
    return Response(body, status_code, dict(headers or {}), media_type="application/json")
