"""Settings selection: `ENVIRONMENT` picks the class; `get_settings()` validates once."""

import importlib
import os
from functools import lru_cache

from pydantic import ValidationError

from app.core.settings.base import BaseAppSettings

Settings = BaseAppSettings

# Module and class per environment: only the selected one is imported (each pydantic
# settings class costs milliseconds of Lambda init to build).
SETTINGS_BY_ENVIRONMENT: dict[str, str] = {
    "local": "LocalSettings",
    "development": "DevelopmentSettings",
    "staging": "StagingSettings",
    "production": "ProductionSettings",
    "testing": "TestingSettings",
}


class SettingsError(RuntimeError):
    """Raised at start when a setting is missing or invalid; names every bad variable."""


def load_settings() -> BaseAppSettings:
    environment = os.environ.get("ENVIRONMENT", "local").strip().lower() or "local"
    class_name = SETTINGS_BY_ENVIRONMENT.get(environment)
    if class_name is None:
        choices = ", ".join(SETTINGS_BY_ENVIRONMENT)
        raise SettingsError(
            f"Invalid setting ENVIRONMENT={environment!r}: expected one of {choices}"
        )
    module = importlib.import_module(f"{__name__}.{environment}")
    settings_class: type[BaseAppSettings] = getattr(module, class_name)
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
