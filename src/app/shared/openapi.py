"""OpenAPI documentation of the envelope errors and headers every route can answer with."""

from typing import Any

from app.shared.base_responses import ErrorEnvelope

_REQUEST_ID_HEADER = {
    "X-Request-ID": {
        "description": "Trace id of the request; equals `trace_id` in the body.",
        "schema": {"type": "string"},
    }
}


def _error(description: str, **headers: str) -> dict[str, Any]:
    documented = dict(_REQUEST_ID_HEADER)
    for name, text in headers.items():
        documented[name.replace("_", "-")] = {"description": text, "schema": {"type": "string"}}
    return {"model": ErrorEnvelope, "description": description, "headers": documented}


COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"headers": _REQUEST_ID_HEADER},
    404: _error("Route or resource not found (8002, or the domain's not-found code)"),
    405: _error("Method not allowed (8003)", Allow="Allowed methods"),
    413: _error("Request body too large (8004)"),
    422: _error("Request validation failed, every offending field named (8001)"),
    429: _error(
        "Rate limit exceeded (8005)",
        Retry_After="Seconds until the window resets",
        RateLimit_Limit="Requests allowed per window",
        RateLimit_Remaining="Requests left in the window",
        RateLimit_Reset="Seconds until the window resets",
    ),
    500: _error("Unexpected error (100); no internal detail is exposed"),
    503: _error("A store is unavailable or timed out (9001-9003)", Retry_After="Seconds"),
}
