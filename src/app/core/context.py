"""Per-request context carried in contextvars: the trace id, the caller's subject and the
Lambda invocation.

Set by the request-context and authentication middlewares (`app.http`) and the Lambda
handler; read by the logs and the envelope.
"""

import uuid
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(slots=True)  # not frozen: built on every invocation, and frozen costs more
class LambdaInvocation:
    aws_request_id: str
    function_name: str
    cold_start: bool  # the sandbox's first invocation, on demand
    restore: bool = False  # the first invocation after a SnapStart restore
    xray_trace_id: str | None = None  # the invocation's X-Ray trace (its Root id)


trace_id_var: ContextVar[str | None] = ContextVar("trace_id", default=None)
# The authenticated caller's subject (never the token), for the logs.
subject_var: ContextVar[str | None] = ContextVar("subject", default=None)
lambda_invocation_var: ContextVar[LambdaInvocation | None] = ContextVar(
    "lambda_invocation", default=None
)


def get_trace_id() -> str:
    """The current request's trace id; outside a request a fresh one, so it is never empty."""
    return trace_id_var.get() or new_trace_id()


def new_trace_id() -> str:
    return str(uuid.uuid4())
