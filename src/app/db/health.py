"""Readiness checks of the configured stores (each imports its driver only when it runs)."""

from app.core.settings import Settings
from app.shared.readiness import ReadinessCheck


def store_readiness_checks(settings: Settings) -> dict[str, ReadinessCheck]:
    """One ping per configured store; a store with no URL is not part of readiness."""
    checks: dict[str, ReadinessCheck] = {}
    return checks
