"""Readiness checks: each configured store registers a ping; `/health/ready` runs them all."""

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from time import perf_counter

from pydantic import BaseModel

from app.db.deadline import Deadline, DeadlineExpired

Probe = Callable[[], Awaitable[object]]
# Called before any timer starts (it may import a driver); returns the probe that is timed.
ReadinessCheck = Callable[[], Probe]


class CheckResult(BaseModel):
    name: str
    ok: bool
    latency_ms: float
    error: str | None = None


class ReadinessReport(BaseModel):
    ready: bool
    checks: list[CheckResult]


@dataclass(frozen=True, slots=True)
class ReadinessProbe:
    checks: Mapping[str, ReadinessCheck]
    timeout_seconds: float

    async def run(self) -> ReadinessReport:
        # Every check is loaded before the first timer starts: the probes run concurrently,
        # and one store's import would otherwise eat into another store's timeout too.
        probes = {name: _loaded(check) for name, check in self.checks.items()}
        results = await asyncio.gather(
            *(self._run_one(name, probe) for name, probe in probes.items())
        )
        return ReadinessReport(ready=all(result.ok for result in results), checks=list(results))

    async def _run_one(self, name: str, probe: Probe) -> CheckResult:
        started = perf_counter()
        error: str | None = None
        try:
            # Not asyncio.wait_for: a stalled PostgreSQL would hold a cancelled ping for 10 s.
            async with Deadline(self.timeout_seconds):
                await probe()
        except DeadlineExpired:
            error = f"timed out after {self.timeout_seconds}s"
        except Exception as failure:  # a failing store must not fail the probe itself
            error = type(failure).__name__
        latency_ms = round((perf_counter() - started) * 1000, 2)
        return CheckResult(name=name, ok=error is None, latency_ms=latency_ms, error=error)


def _loaded(check: ReadinessCheck) -> Probe:
    """The check's probe; a check that fails to load is a probe that fails the same way."""
    try:
        return check()
    except Exception as failure:  # a failing store must not fail the probe itself
        error = failure

        async def failed() -> None:
            raise error

        return failed
