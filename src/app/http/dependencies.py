"""Dependencies shared by routes, as `Annotated` aliases used in signatures."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from app.core.cold_start import load_on_first_use
from app.core.settings import Settings


# Dependencies are `async def`: FastAPI runs a plain `def` in the thread pool, a thread hop
# per request that costs more than the work they do.
async def _app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(_app_settings)]


def lazy_service(module: str, name: str) -> Callable[[Settings], Awaitable[object]]:
    """A dependency giving each request `name(settings)`, the service class in `module`.

    The module, and what it imports (SQLAlchemy, the ORM models), loads on the first request
    that needs it rather than with the app: a Lambda init then pays only for the routes.
    """

    async def service(settings: SettingsDep) -> object:
        return getattr(load_on_first_use(module), name)(settings)

    return service
