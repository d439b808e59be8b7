"""Base endpoints: index, liveness and readiness."""

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.responses import Response

from app.http.dependencies import SettingsDep
from app.http.docs import DOCS_PATH
from app.http.envelope import (
    EnvelopeResponse,
    ErrorEnvelope,
    envelope_response,
)
from app.http.errors.codes import CommonInternalCode
from app.http.errors.exceptions import ServiceUnavailableError, error_response
from app.http.readiness import ReadinessProbe, ReadinessReport

router = APIRouter(tags=["health"])


class ServiceInfo(BaseModel):
    name: str
    version: str
    environment: str
    docs_url: str | None


class Liveness(BaseModel):
    status: str


@router.get("/", response_model=EnvelopeResponse[ServiceInfo], summary="Service information")
async def index(request: Request, settings: SettingsDep) -> Response:
    root_path = request.scope.get("root_path", "")
    info = ServiceInfo(
        name=settings.service_name,
        version=settings.release,
        environment=settings.environment,
        docs_url=f"{root_path}{DOCS_PATH}" if settings.docs_enabled else None,
    )
    return envelope_response(info)


@router.get("/health", response_model=EnvelopeResponse[Liveness], summary="Liveness")
async def health() -> Response:
    """Answers while the process runs; touches no store."""
    return envelope_response(Liveness(status="ok"))


@router.get(
    "/health/ready",
    response_model=EnvelopeResponse[ReadinessReport],
    responses={503: {"model": ErrorEnvelope, "description": "A configured store is down"}},
    summary="Readiness",
)
async def ready(request: Request) -> Response:
    """200 when every configured store answers, else 503; lists each check with its latency."""
    probe: ReadinessProbe = request.app.state.readiness
    report = await probe.run()
    if report.ready:
        return envelope_response(report)
    return error_response(
        ServiceUnavailableError(
            "Service is not ready", code=CommonInternalCode.NOT_READY, details=report.model_dump()
        )
    )
