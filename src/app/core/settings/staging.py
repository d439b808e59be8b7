"""Pre-production stage: production-like (authentication on), docs on."""

from app.core.settings.base import BaseAppSettings, EnvironmentName


class StagingSettings(BaseAppSettings):
    environment: EnvironmentName = "staging"
    log_json: bool = True
    auth_enabled: bool = True
