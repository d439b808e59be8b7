"""Dependencies shared by routes, as `Annotated` aliases used in signatures."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.settings import Settings
from app.db.postgresql.connection import get_session_factory


# Dependencies are `async def`: FastAPI runs a plain `def` in the thread pool, a thread hop
# per request that costs more than the work they do.
async def _app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(_app_settings)]


async def _request_session(settings: SettingsDep) -> AsyncIterator[AsyncSession]:
    async with get_session_factory(settings)() as session:
        yield session


# scope="function": the connection goes back to the pool before the response is sent.
SessionDep = Annotated[AsyncSession, Depends(_request_session, scope="function")]
