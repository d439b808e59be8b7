"""Scheduled jobs: registered under a name in a domain's `jobs` module, started by the event
`{"job": "<name>"}` (EventBridge Scheduler's input).

A job answers its counts; one that fails raises, so that the scheduler retries it and, after
its retries, sends the event to its dead-letter queue.
"""

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass

from loguru import logger

from app.core import metrics
from app.core.lines import invocation_line
from app.core.settings import Settings

JobRun = Callable[[Settings], Awaitable[Mapping[str, int]]]


@dataclass(frozen=True, slots=True)
class ScheduledJob:
    name: str
    run: JobRun


def job(name: str) -> Callable[[JobRun], ScheduledJob]:
    """Register the decorated `async def run(settings) -> {count name: count}` as job `name`."""

    def register(run: JobRun) -> ScheduledJob:
        return ScheduledJob(name, run)

    return register


async def run_job(
    name: object, jobs: Iterable[ScheduledJob], settings: Settings
) -> dict[str, object]:
    """`{"ok": true, "job": name, **counts}`; an unknown job answers `ok: false` (it will never
    succeed, so it is not raised and retried); a job that fails raises."""
    by_name = {registered.name: registered for registered in jobs}
    found = by_name.get(name) if isinstance(name, str) else None
    if found is None:
        logger.warning("Unknown job {!r}", name)
        known = ", ".join(sorted(by_name)) or "none"
        return {"ok": False, "job": name, "error": f"Unknown job {name!r}; registered: {known}"}
    # Its one line (app.core.lines): the duration, an error's type, and its counts as metrics.
    with invocation_line(f"job:{found.name}"):
        try:
            counts = dict(await found.run(settings))
        except Exception:
            logger.exception("Job {} failed: the scheduler retries it", found.name)
            raise
        for count_name, amount in counts.items():
            metrics.count(_metric_name(count_name), amount)
    return {"ok": True, "job": found.name, **counts}


def _metric_name(count_name: str) -> str:
    """A job's count (`purged`, `rows_read`) as a metric name (`Purged`, `RowsRead`)."""
    return "".join(part[:1].upper() + part[1:] for part in count_name.split("_"))
