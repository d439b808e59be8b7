"""Shared development stage on AWS: JSON logs, docs on, authentication on."""

from app.core.settings.base import BaseAppSettings, EnvironmentName


class DevelopmentSettings(BaseAppSettings):
    environment: EnvironmentName = "development"
    log_json: bool = True
    auth_enabled: bool = True
