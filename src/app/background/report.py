"""The one line a queue batch or a job writes: a log line whose JSON form (on Lambda) is also
an EMF document, so its counts and duration become CloudWatch metrics at no extra cost."""

from collections.abc import Mapping

from loguru import logger

from app.core.metrics import Unit, emf_fields
from app.core.settings import Settings


def _metric_fields(
    settings: Settings, dimension: tuple[str, str], metrics: Mapping[str, tuple[float, Unit]]
) -> dict[str, object]:
    """Published per service and environment, and per queue or job (`dimension`)."""
    name, value = dimension
    dimensions = {"Service": settings.service_name, "Environment": settings.environment}
    sets = [list(dimensions), [*dimensions, name]]
    return emf_fields(settings.service_name, metrics, {**dimensions, name: value}, sets)


def log_batch(
    settings: Settings, queue: str, *, processed: int, failed: int, duration_ms: float
) -> None:
    """Records processed (succeeded) and failed (reported back for redelivery)."""
    metrics: dict[str, tuple[float, Unit]] = {
        "RecordsProcessed": (processed, "Count"),
        "RecordsFailed": (failed, "Count"),
        "BatchDuration": (duration_ms, "Milliseconds"),
    }
    fields = _metric_fields(settings, ("Queue", queue), metrics)
    logger.bind(logger="queue", **fields).log(
        "WARNING" if failed else "INFO",
        "Batch of {}: {} processed, {} failed in {:.1f} ms",
        queue,
        processed,
        failed,
        duration_ms,
    )


def log_job(
    settings: Settings,
    job: str,
    *,
    counts: Mapping[str, int],
    error: Exception | None,
    duration_ms: float,
) -> None:
    """A job's run, failure (with its traceback) and duration; its counts ride along."""
    metrics: dict[str, tuple[float, Unit]] = {
        "JobRuns": (1, "Count"),
        "JobFailures": (0 if error is None else 1, "Count"),
        "JobDuration": (duration_ms, "Milliseconds"),
    }
    fields = _metric_fields(settings, ("Job", job), metrics)
    logger.bind(logger="job", **counts, **fields).opt(exception=error).log(
        "INFO" if error is None else "ERROR",
        "Job {} {} in {:.1f} ms",
        job,
        "done" if error is None else "failed",
        duration_ms,
    )
