"""Lambda entry: HTTP events go to Mangum; a few non-HTTP jobs are dispatched by shape."""

import warnings
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from mangum import Mangum

from app.shared.request_context import LambdaInvocation, lambda_invocation_var

if TYPE_CHECKING:
    from fastapi import FastAPI

    from app.core.settings import Settings

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


def is_http_event(event: Mapping[str, Any]) -> bool:
    """API Gateway REST/HTTP API, ALB and Function URL events all carry one of these."""
    return "httpMethod" in event or "requestContext" in event or "routeKey" in event


def is_warmup_event(event: Mapping[str, Any]) -> bool:
    return event.get("source") == "aws.events" or event.get("action") == "warmup"


def build_handler(app: "FastAPI", settings: "Settings") -> LambdaHandler:
    # Mangum runs lifespan on every invocation unless it is off; stores open lazily anyway.
    with warnings.catch_warnings():
        # Mangum asks for the thread's event loop and creates one when there is none (a
        # fresh Lambda sandbox); Python 3.12 warns about exactly that implicit creation.
        warnings.simplefilter("ignore", DeprecationWarning)
        # No api_gateway_base_path: Mangum strips it as a text prefix ("/dev" turns
        # "/devices" into "ices"). The app's root_path strips it by whole segment instead.
        adapter = Mangum(app, lifespan="off", api_gateway_base_path="/")
    cold_start = True

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        nonlocal cold_start
        lambda_invocation_var.set(
            LambdaInvocation(
                aws_request_id=str(getattr(context, "aws_request_id", "")),
                function_name=str(getattr(context, "function_name", settings.service_name)),
                cold_start=cold_start,
            )
        )
        cold_start = False
        if is_http_event(event):
            return dict(adapter(event, context))
        if is_warmup_event(event):
            return {"ok": True, "action": "warmup"}
        return {"ok": False, "error": "Unsupported event: not an HTTP request or known action"}

    return handler
