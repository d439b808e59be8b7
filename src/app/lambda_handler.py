"""Lambda entry: HTTP events go to Mangum; a few non-HTTP jobs are dispatched by shape."""

import warnings
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from loguru import logger
from mangum import Mangum

from app.core import metrics
from app.core.context import LambdaInvocation, lambda_invocation_var
from app.core.lines import invocation_line
from app.core.sandbox import SandboxStart, xray_trace_id

if TYPE_CHECKING:
    from fastapi import FastAPI

    from app.core.settings import Settings

LambdaHandler = Callable[[object, Any], dict[str, Any]]

_EXPECTED = 'expected an HTTP request, a scheduled warm-up or {"action": "migrate"}'


def is_http_event(event: Mapping[str, Any]) -> bool:
    """API Gateway REST/HTTP API, ALB and Function URL events all carry one of these."""
    return "httpMethod" in event or "requestContext" in event or "routeKey" in event


def is_warmup_event(event: Mapping[str, Any]) -> bool:
    return event.get("source") == "aws.events" or event.get("action") == "warmup"


def run_migrations(settings: "Settings") -> dict[str, Any]:
    """The `{"action": "migrate"}` job, for databases reachable only from inside the VPC."""
    from app.db.postgresql.migrate import upgrade_to_head

    # Alembic runs its own event loop; a separate thread keeps the sandbox's loop (which
    # Mangum and the lazily created clients are bound to) current in this thread.
    with invocation_line("migrate"), ThreadPoolExecutor(max_workers=1) as pool:
        summary = pool.submit(upgrade_to_head, settings).result()
        metrics.count("MigrationsApplied", len(summary["applied"]))
        logger.info("Migrations applied: {}", summary["applied"] or "none")
    return {"ok": True, "action": "migrate", **summary}


def warm_up() -> dict[str, Any]:
    """A scheduled warm-up: answered at once, touching no store; its line counts the sandbox
    it kept warm (or started: a cold start)."""
    with invocation_line("warmup"):
        return {"ok": True, "action": "warmup"}


def current_invocation(context: Any, sandbox: SandboxStart, settings: "Settings") -> None:
    """What every log line of this invocation says about it (`LambdaInvocation`)."""
    first = sandbox.next_invocation()
    lambda_invocation_var.set(
        LambdaInvocation(
            aws_request_id=str(getattr(context, "aws_request_id", "")),
            function_name=str(getattr(context, "function_name", settings.service_name)),
            cold_start=first == "cold_start",
            restore=first == "restore",
            xray_trace_id=xray_trace_id(),
        )
    )


def build_handler(app: "FastAPI", settings: "Settings") -> LambdaHandler:
    with warnings.catch_warnings():
        # Mangum asks for the thread's event loop and creates one when there is none (a
        # fresh Lambda sandbox); Python 3.12 warns about exactly that implicit creation.
        warnings.simplefilter("ignore", DeprecationWarning)
        # Mangum runs lifespan on every invocation unless it is off; stores open lazily.
        # No api_gateway_base_path: Mangum strips it as a text prefix ("/dev" turns
        # "/devices" into "ices"). The app's root_path strips it by whole segment instead.
        adapter = Mangum(app, lifespan="off", api_gateway_base_path="/")
    sandbox = SandboxStart()

    def handler(event: object, context: Any) -> dict[str, Any]:
        current_invocation(context, sandbox, settings)
        if not isinstance(event, dict):
            return unsupported(f"got a {type(event).__name__}, not a JSON object")
        if is_http_event(event):
            return dict(adapter(event, context))
        if is_warmup_event(event):
            return warm_up()
        if event.get("action") == "migrate":
            return run_migrations(settings)
        return unsupported("got keys: " + ", ".join(sorted(map(str, event))))

    return handler


def unsupported(what: str) -> dict[str, Any]:
    """The answer to an event the handler cannot serve. Not raised: an async invoke that
    raises is retried, and this event will never fit."""
    logger.warning("Unsupported event: {}", what)
    return {"ok": False, "error": f"Unsupported event: {_EXPECTED}; {what}"}
