"""Lambda entry: HTTP events go to Mangum; SQS batches, jobs and a few non-HTTP actions are
dispatched by shape."""

import asyncio
import warnings
from collections.abc import Callable, Coroutine, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from loguru import logger
from mangum import Mangum

from app.core import metrics
from app.core.context import LambdaInvocation, lambda_invocation_var
from app.core.lines import invocation_line
from app.core.sandbox import SandboxStart, xray_trace_id
from app.http.lambda_events import (
    http_event_problem,
    malformed_event_response,
    method_problem,
    names_an_http_source,
)

if TYPE_CHECKING:
    from fastapi import FastAPI

    from app.core.settings import Settings

LambdaHandler = Callable[[object, Any], dict[str, Any]]

_EXPECTED = (
    'expected an HTTP request, an SQS batch, {"job": "<name>"}, a scheduled warm-up or '
    '{"action": "migrate"}'
)


def is_http_event(event: Mapping[str, Any]) -> bool:
    """API Gateway REST/HTTP API, ALB and Function URL events all carry one of these."""
    return "httpMethod" in event or "requestContext" in event or "routeKey" in event


def is_warmup_event(event: Mapping[str, Any]) -> bool:
    return event.get("source") == "aws.events" or event.get("action") == "warmup"


def is_queue_batch(event: Mapping[str, Any]) -> bool:
    """An SQS event source mapping's batch: `Records` of `eventSource` "aws:sqs"."""
    records = event.get("Records")
    return bool(records) and isinstance(records, list) and _is_sqs_record(records[0])


def _is_sqs_record(record: object) -> bool:
    return isinstance(record, dict) and record.get("eventSource") == "aws:sqs"


def is_job_event(event: Mapping[str, Any]) -> bool:
    """EventBridge Scheduler's input for a job: `{"job": "<name>"}`."""
    return "job" in event


def handle_queue_batch(records: list[Any], context: Any, settings: "Settings") -> dict[str, Any]:
    """Each record to its queue's consumer (docs/background.md); the answer names the records
    to redeliver, and nothing raises."""
    from app.background.batch import process_batch
    from app.background.queues import QueueConsumer
    from app.domains import domain_members

    failed = _on_sandbox_loop(
        process_batch(
            records,
            lambda: domain_members("consumers", QueueConsumer),
            settings,
            lambda: int(context.get_remaining_time_in_millis()),
        )
    )
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}


def handle_job(name: object, settings: "Settings") -> dict[str, Any]:
    """The registered job `name`: its counts, `ok: false` when there is none; raises when it
    fails, so that the scheduler retries it."""
    from app.background.jobs import ScheduledJob, run_job
    from app.domains import domain_members

    return _on_sandbox_loop(run_job(name, domain_members("jobs", ScheduledJob), settings))


def _on_sandbox_loop[T](work: Coroutine[Any, Any, T]) -> T:
    # The loop Mangum created for this thread: the store clients are bound to it.
    return asyncio.get_event_loop().run_until_complete(work)


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

    def handle_http(event: dict[str, Any], context: Any) -> dict[str, Any]:
        problem = method_problem(event)
        if problem is not None:
            return malformed_http_event(event, context, problem)
        try:
            return dict(adapter(event, context))
        except Exception:
            # Mangum raises on an event it cannot read (the app's own errors are answered
            # inside it): only then is the event checked, so valid ones pay nothing.
            problem = http_event_problem(event)
            if problem is None:
                raise
            return malformed_http_event(event, context, problem)

    def handler(event: object, context: Any) -> dict[str, Any]:
        current_invocation(context, sandbox, settings)
        if not isinstance(event, dict):
            return unsupported(f"got a {type(event).__name__}, not a JSON object")
        if is_http_event(event):
            return handle_http(event, context)
        if is_queue_batch(event):
            return handle_queue_batch(event["Records"], context, settings)
        if is_job_event(event):
            return handle_job(event["job"], settings)
        if is_warmup_event(event):
            return warm_up()
        if event.get("action") == "migrate":
            return run_migrations(settings)
        return unsupported("got keys: " + ", ".join(sorted(map(str, event))))

    return handler


def malformed_http_event(event: dict[str, Any], context: Any, problem: str) -> dict[str, Any]:
    """An HTTP event Mangum cannot read: the client's answer is a 400 envelope when the event
    names its HTTP source, else the event is answered as unsupported. Never a raise."""
    if names_an_http_source(event):
        return malformed_event_response(event, context, problem)
    return unsupported(problem)


def unsupported(what: str) -> dict[str, Any]:
    """The answer to an event the handler cannot serve. Not raised: an async invoke that
    raises is retried, and this event will never fit."""
    logger.warning("Unsupported event: {}", what)
    return {"ok": False, "error": f"Unsupported event: {_EXPECTED}; {what}"}
