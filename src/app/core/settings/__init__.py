"""Settings selection: `ENVIRONMENT` picks the class; `get_settings()` validates once."""

import os
from functools import lru_cache

from pydantic import ValidationError

from app.core.settings.base import BaseAppSettings
from app.core.settings.development import DevelopmentSettings
from app.core.settings.local import LocalSettings
from app.core.settings.production import ProductionSettings
from app.core.settings.staging import StagingSettings
from app.core.settings.testing import TestingSettings

Settings = BaseAppSettings

SETTINGS_BY_ENVIRONMENT: dict[str, type[BaseAppSettings]] = {
    "local": LocalSettings,
    "development": DevelopmentSettings,
    "staging": StagingSettings,
    "production": ProductionSettings,
    "testing": TestingSettings,
}


class SettingsError(RuntimeError):
    """Raised at start when a setting is missing or invalid; names every bad variable."""


def load_settings() -> BaseAppSettings:
    environment = os.environ.get("ENVIRONMENT", "local").strip().lower() or "local"
    settings_class = SETTINGS_BY_ENVIRONMENT.get(environment)
    if settings_class is None:
        choices = ", ".join(SETTINGS_BY_ENVIRONMENT)
        raise SettingsError(
            f"Invalid setting ENVIRONMENT={environment!r}: expected one of {choices}"
        )
    try:
        return settings_class(environment=environment)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in issue['loc']).upper()}: {issue['msg']}"
            for issue in error.errors(include_url=False, include_input=False)
        )
        raise SettingsError(f"Invalid settings for ENVIRONMENT={environment}: {problems}") from None


@lru_cache(maxsize=1)
def get_settings() -> BaseAppSettings:
    return load_settings()


__all__ = ["SETTINGS_BY_ENVIRONMENT", "Settings", "SettingsError", "get_settings", "load_settings"]
