"""Test-suite defaults: quiet logs, no rate limit unless a test sets one."""

from app.core.settings.base import BaseAppSettings, EnvironmentName, LogLevel


class TestingSettings(BaseAppSettings):
    environment: EnvironmentName = "testing"
    log_level: LogLevel = "WARNING"
    rate_limit_requests: int = 0
