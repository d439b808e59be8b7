"""Readiness checks: each configured store registers a ping; `/health/ready` runs them all."""

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from time import perf_counter

from pydantic import BaseModel

ReadinessCheck = Callable[[], Awaitable[object]]


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
        results = await asyncio.gather(
            *(self._run_one(name, check) for name, check in self.checks.items())
        )
        return ReadinessReport(ready=all(result.ok for result in results), checks=list(results))

    async def _run_one(self, name: str, check: ReadinessCheck) -> CheckResult:
        started = perf_counter()
        error: str | None = None
        try:
            await asyncio.wait_for(check(), timeout=self.timeout_seconds)
        except TimeoutError:
            error = f"timed out after {self.timeout_seconds}s"
        except Exception as failure:  # a failing store must not fail the probe itself
            error = type(failure).__name__
        latency_ms = round((perf_counter() - started) * 1000, 2)
        return CheckResult(name=name, ok=error is None, latency_ms=latency_ms, error=error)
