"""Dependencies shared by routes, as `Annotated` aliases used in signatures."""

from typing import Annotated

from fastapi import Depends, Request

from app.core.settings import Settings


def _app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(_app_settings)]
