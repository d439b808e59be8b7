"""Laptop defaults: readable logs, docs on, an optional .env file."""

from typing import ClassVar

from app.core.settings.base import BaseAppSettings, EnvironmentName, LogLevel


class LocalSettings(BaseAppSettings):
    env_file: ClassVar[str | None] = ".env"

    environment: EnvironmentName = "local"
    log_level: LogLevel = "DEBUG"
