"""Production: JSON logs, authentication on, docs off unless DOCS_ENABLED=true."""

from app.core.settings.base import BaseAppSettings, EnvironmentName


class ProductionSettings(BaseAppSettings):
    environment: EnvironmentName = "production"
    log_json: bool = True
    auth_enabled: bool = True
    docs_enabled: bool = False
