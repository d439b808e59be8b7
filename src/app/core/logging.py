"""Loguru setup: readable lines locally, one JSON object per line on Lambda and in the cloud,
each carrying the request's context fields. The request's own line: `app.core.lines`."""

import json
import logging
import sys
import traceback
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from loguru import logger

from app.core.context import lambda_invocation_var, subject_var, trace_id_var
from app.core.lines import configure_lines

if TYPE_CHECKING:
    from loguru import Message, Record

    from app.core.settings import Settings

# Standard-library loggers whose records are routed into loguru.
ROUTED_LOGGERS = ("uvicorn", "uvicorn.error", "sqlalchemy", "pymongo", "alembic")

_HUMAN_FORMAT = (
    "<green>{time:HH:mm:ss.SSS}</green> <level>{level: <8}</level> "
    "<cyan>{extra[logger]}</cyan> [{extra[trace_id]}] {message}"
)

_JSON = json.JSONEncoder(default=str, separators=(",", ":"))


class InterceptHandler(logging.Handler):
    """Sends standard `logging` records to loguru, keeping the original logger name."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            level: str | int = logger.level(record.levelname).name
        except ValueError:
            level = record.levelno
        logger.bind(logger=record.name).opt(exception=record.exc_info).log(
            level, record.getMessage()
        )


def _context_fields() -> dict[str, object]:
    """The fields every log line of a request carries: trace id, the caller's subject once
    authenticated, Lambda invocation facts (with its X-Ray trace id)."""
    fields: dict[str, object] = {"trace_id": trace_id_var.get() or "-"}
    subject = subject_var.get()
    if subject is not None:
        fields["subject"] = subject
    invocation = lambda_invocation_var.get()
    if invocation is not None:
        fields["aws_request_id"] = invocation.aws_request_id
        fields["function_name"] = invocation.function_name
        fields["cold_start"] = invocation.cold_start
        if invocation.restore:
            fields["restore"] = True
        if invocation.xray_trace_id is not None:
            fields["xray_trace_id"] = invocation.xray_trace_id
    return fields


def _add_request_context(record: "Record") -> None:
    extra = record["extra"]
    extra.setdefault("logger", record["name"])
    extra.update(_context_fields())


def _write_json_line(
    time: datetime, level: str, logger_name: str, message: str, fields: Mapping[str, object]
) -> None:
    """The one JSON line format; `fields` holds the context fields and the line's own."""
    payload = {
        "timestamp": time.isoformat(),
        "level": level,
        "logger": logger_name,
        "message": message,
        "trace_id": fields["trace_id"],
        **fields,
    }
    sys.stdout.write(_JSON.encode(payload) + "\n")
    sys.stdout.flush()


def _json_sink(message: "Message") -> None:
    record = message.record
    fields = dict(record["extra"])
    logger_name = fields.pop("logger")
    exception = record["exception"]
    if exception is not None:
        fields["exception"] = "".join(
            traceback.format_exception(exception.type, exception.value, exception.traceback)
        )
    _write_json_line(record["time"], record["level"].name, logger_name, record["message"], fields)


def configure_logging(settings: "Settings") -> None:
    """Replace loguru's default sink and route standard logging into it (idempotent)."""
    logger.remove()
    logger.configure(patcher=_add_request_context)
    if settings.log_json or settings.is_lambda:
        logger.add(_json_sink, level=settings.log_level, backtrace=False, diagnose=False)
    else:
        logger.add(sys.stderr, level=settings.log_level, format=_HUMAN_FORMAT, diagnose=False)
    configure_lines(settings)
    logging.basicConfig(handlers=[InterceptHandler()], level=logging.INFO, force=True)
    for name in ROUTED_LOGGERS:
        routed = logging.getLogger(name)
        routed.handlers = []
        routed.propagate = True
    # The app writes one access line per request, with the trace id: uvicorn's own access line
    # is off whatever `--no-access-log` says, and Mangum's per-request INFO lines likewise.
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("mangum").setLevel(logging.WARNING)
