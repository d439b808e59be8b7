"""Base endpoints: index, liveness, readiness."""

import asyncio

import httpx
from fastapi import FastAPI

from app.http.readiness import Probe, ReadinessProbe
from tests.conftest import AppFactory
from tests.support.envelope import assert_envelope
from tests.support.http_shapes import ClientFor


async def test_index_describes_the_service(client: httpx.AsyncClient) -> None:
    data = assert_envelope(await client.get("/"), 200)
    assert data == {
        "name": "app",
        "version": "0.1.0",
        "environment": "testing",
        "docs_url": "/docs",
    }


async def test_index_has_no_docs_url_when_docs_are_off(
    app_factory: AppFactory, client_for: ClientFor
) -> None:
    async with client_for(app_factory(docs_enabled=False)) as client:
        data = assert_envelope(await client.get("/"), 200)
    assert data["docs_url"] is None


async def test_health_is_ok(client: httpx.AsyncClient) -> None:
    assert assert_envelope(await client.get("/health"), 200) == {"status": "ok"}


async def test_ready_with_no_store_configured_is_ready(
    app_factory: AppFactory, client_for: ClientFor
) -> None:
    app = app_factory(postgresql_url=None, mongo_url=None, redis_url=None)
    async with client_for(app) as client:
        data = assert_envelope(await client.get("/health/ready"), 200)
    assert data == {"ready": True, "checks": []}


def _with_checks(app: FastAPI, **probes: Probe) -> FastAPI:
    checks = {name: (lambda probe=probe: probe) for name, probe in probes.items()}
    app.state.readiness = ReadinessProbe(checks, timeout_seconds=0.2)
    return app


async def test_ready_reports_each_check_and_fails_when_one_is_down(
    app: FastAPI, client_for: ClientFor
) -> None:
    # Given one store that answers, one that raises and one that never answers
    async def answers() -> None:
        return None

    async def refuses() -> None:
        raise ConnectionRefusedError("secret-host:5432")

    async def hangs() -> None:
        await asyncio.sleep(10)

    _with_checks(app, answers=answers, refuses=refuses, hangs=hangs)
    # When readiness is probed
    async with client_for(app) as client:
        details = assert_envelope(await client.get("/health/ready"), 503, code=9004)
    # Then every check is listed with its outcome and nothing leaks
    checks = {check["name"]: check for check in details["checks"]}
    assert details["ready"] is False
    assert checks["answers"]["ok"] is True
    assert checks["refuses"] == {
        "name": "refuses",
        "ok": False,
        "latency_ms": checks["refuses"]["latency_ms"],
        "error": "ConnectionRefusedError",
    }
    assert checks["hangs"]["ok"] is False
    assert "timed out" in checks["hangs"]["error"]
    assert checks["hangs"]["latency_ms"] < 2000


async def test_ready_is_ok_when_every_check_answers(app: FastAPI, client_for: ClientFor) -> None:
    async def answers() -> None:
        return None

    _with_checks(app, first=answers, second=answers)
    async with client_for(app) as client:
        data = assert_envelope(await client.get("/health/ready"), 200)
    assert [check["ok"] for check in data["checks"]] == [True, True]


async def test_a_check_that_cannot_load_is_reported_not_ready(
    app: FastAPI, client_for: ClientFor
) -> None:
    def missing_driver() -> Probe:
        raise ModuleNotFoundError("No module named 'psycopg'")

    app.state.readiness = ReadinessProbe({"postgresql": missing_driver}, timeout_seconds=0.2)
    async with client_for(app) as client:
        details = assert_envelope(await client.get("/health/ready"), 503, code=9004)
    (check,) = details["checks"]
    assert (check["name"], check["ok"], check["error"]) == (
        "postgresql",
        False,
        "ModuleNotFoundError",
    )
