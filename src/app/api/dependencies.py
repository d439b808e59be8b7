"""Dependencies shared by routes, as `Annotated` aliases used in signatures."""

from typing import Annotated

from fastapi import Depends, Request

from app.core.settings import Settings


# Dependencies are `async def`: FastAPI runs a plain `def` in the thread pool, a thread hop
# per request that costs more than the work they do.
async def _app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(_app_settings)]
