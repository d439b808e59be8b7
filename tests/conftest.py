"""Suite-wide fixtures: testing settings, app factory and HTTP clients over ASGI."""

import os

os.environ["ENVIRONMENT"] = "testing"

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.core.settings.testing import TestingSettings
from app.main import create_app

SettingsFactory = Callable[..., TestingSettings]
AppFactory = Callable[..., FastAPI]


@pytest.fixture
def settings_factory() -> SettingsFactory:
    """Testing settings from the environment, with keyword overrides."""

    def build(**overrides: Any) -> TestingSettings:
        return TestingSettings(**overrides)

    return build


@pytest.fixture
def app_factory(settings_factory: SettingsFactory) -> AppFactory:
    def build(**overrides: Any) -> FastAPI:
        return create_app(settings_factory(**overrides))

    return build


@pytest.fixture
def app(app_factory: AppFactory) -> FastAPI:
    return app_factory()


def asgi_client(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app) as http:
        yield http
