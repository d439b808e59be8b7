"""Loguru setup: readable lines locally, one JSON object per line on Lambda and in the cloud."""

import json
import logging
import sys
import traceback
from typing import TYPE_CHECKING, Any

from loguru import logger

from app.shared.request_context import lambda_invocation_var, trace_id_var

if TYPE_CHECKING:
    from loguru import Message, Record

    from app.core.settings import Settings

# Standard-library loggers whose records are routed into loguru.
ROUTED_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "sqlalchemy", "pymongo", "alembic")

_HUMAN_FORMAT = (
    "<green>{time:HH:mm:ss.SSS}</green> <level>{level: <8}</level> "
    "<cyan>{extra[logger]}</cyan> [{extra[trace_id]}] {message}"
)


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


def _add_request_context(record: "Record") -> None:
    extra = record["extra"]
    extra.setdefault("logger", record["name"])
    extra["trace_id"] = trace_id_var.get() or "-"
    invocation = lambda_invocation_var.get()
    if invocation is not None:
        extra["aws_request_id"] = invocation.aws_request_id
        extra["function_name"] = invocation.function_name
        extra["cold_start"] = invocation.cold_start


def _json_sink(message: "Message") -> None:
    record = message.record
    extra = dict(record["extra"])
    payload: dict[str, Any] = {
        "timestamp": record["time"].isoformat(),
        "level": record["level"].name,
        "logger": extra.pop("logger"),
        "message": record["message"],
        "trace_id": extra.pop("trace_id"),
    }
    payload.update(extra)
    exception = record["exception"]
    if exception is not None:
        payload["exception"] = "".join(
            traceback.format_exception(exception.type, exception.value, exception.traceback)
        )
    sys.stdout.write(json.dumps(payload, default=str, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def configure_logging(settings: "Settings") -> None:
    """Replace loguru's default sink and route standard logging into it (idempotent)."""
    logger.remove()
    logger.configure(patcher=_add_request_context)
    if settings.log_json or settings.is_lambda:
        logger.add(_json_sink, level=settings.log_level, backtrace=False, diagnose=False)
    else:
        logger.add(sys.stderr, level=settings.log_level, format=_HUMAN_FORMAT, diagnose=False)
    logging.basicConfig(handlers=[InterceptHandler()], level=logging.INFO, force=True)
    for name in ROUTED_LOGGERS:
        routed = logging.getLogger(name)
        routed.handlers = []
        routed.propagate = True
    # Mangum logs every request at INFO; the access log already has one line per request.
    logging.getLogger("mangum").setLevel(logging.WARNING)
