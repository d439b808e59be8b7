"""Assertions on the response envelope shared by every endpoint test."""

from typing import Any

import httpx


def assert_envelope(response: httpx.Response, status: int, *, code: int | None = None) -> Any:
    """Check status, envelope shape and trace id; return `data` (or the error details)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"success", "message", "data", "trace_id"}, body
    assert body["success"] is (status < 400)
    assert isinstance(body["message"], str)
    assert body["message"]
    assert body["trace_id"], body
    assert body["trace_id"] == response.headers["x-request-id"]
    if status >= 400:
        internal_error = body["data"]["internal_error"]
        assert isinstance(internal_error["code"], int)
        assert isinstance(internal_error["description"], str)
        if code is not None:
            assert internal_error["code"] == code, body
        return body["data"]["details"]
    assert code is None
    return body["data"]
