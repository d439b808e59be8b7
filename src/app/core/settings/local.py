"""Laptop defaults: readable logs, docs on, an optional .env file."""

from pydantic_settings import SettingsConfigDict

from app.core.settings.base import BaseAppSettings, EnvironmentName, LogLevel


class LocalSettings(BaseAppSettings):
    model_config = SettingsConfigDict(env_file=".env")  # extra and frozen come from the base

    environment: EnvironmentName = "local"
    log_level: LogLevel = "DEBUG"
