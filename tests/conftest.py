"""Suite-wide fixtures: real servers for unset store URLs, testing settings, app and clients.

The embedded stack starts before the app is imported, so every settings object the suite
builds (including `get_settings()`'s cached one) sees the store URLs.
"""

import os

os.environ["ENVIRONMENT"] = "testing"

from pathlib import Path

from scripts.devstack import URL_VARS, DevStack, apply_env, load_dotenv

# Store URLs set in .env count as set, as for every make command; the other settings in .env
# are not applied: the suite runs with the testing settings.
load_dotenv(Path(__file__).parents[1] / ".env", names=URL_VARS)
_STACK = DevStack() if not all(os.environ.get(name) for name in URL_VARS) else None
if _STACK is not None:
    apply_env(_STACK.start())

from collections.abc import AsyncIterator, Callable
from typing import Any, cast

import httpx
import pytest
from fastapi import FastAPI

from app.core.settings.testing import TestingSettings
from app.lambda_handler import LambdaHandler, build_handler
from app.main import create_app
from tests.support.lambda_events import Shape
from tests.support.lambda_transport import LambdaTransport, run_on_handler_thread
from tests.support.loop_local import store_clients_per_loop

_GATE_LIFTED = pytest.StashKey[bool]()

pytest_plugins = [
    "tests.fixtures.auth",
    "tests.fixtures.aws",
    "tests.fixtures.bundle",
    "tests.fixtures.mongo",
    "tests.fixtures.postgresql",
    "tests.fixtures.redis",
    "tests.fixtures.sam",
    "tests.fixtures.tracing",
]


@pytest.fixture(scope="session", autouse=True)
async def _store_clients_per_loop() -> AsyncIterator[None]:
    """The app's store clients, one per event loop and URL (tests/support/loop_local.py),
    all closed when the suite ends."""
    async with store_clients_per_loop():
        yield


def _runs_a_subset(config: pytest.Config) -> bool:
    option = config.option
    return bool(
        config.args_source is pytest.Config.ArgsSource.ARGS  # paths or node ids were given
        or option.keyword
        or option.markexpr
        or getattr(option, "lf", False)
        or option.deselect
    )


def pytest_configure(config: pytest.Config) -> None:
    """`make test PYTEST_ARGS="tests/domains/books -k create"` runs part of the suite, which
    cannot cover 90% of src/app: the coverage gate is for the whole suite, so it is lifted
    (the report still prints)."""
    coverage = config.pluginmanager.get_plugin("_cov")
    if coverage is not None and _runs_a_subset(config):
        coverage.options.cov_fail_under = 0
        config.stash[_GATE_LIFTED] = True


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if config.stash.get(_GATE_LIFTED, False):
        terminalreporter.write_line("coverage gate lifted: a subset of the suite ran")


def pytest_unconfigure(config: pytest.Config) -> None:
    if _STACK is not None:
        _STACK.stop()


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


HandlerFactory = Callable[..., LambdaHandler]


@pytest.fixture
def handler_factory(app_factory: AppFactory) -> HandlerFactory:
    """The Lambda handler (made on the handler thread) of an app with these settings, logging
    JSON lines at INFO, for non-HTTP events: queue batches, jobs."""

    def build(**overrides: Any) -> LambdaHandler:
        app = app_factory(log_json=True, log_level="INFO", **overrides)
        return run_on_handler_thread(lambda: build_handler(app, app.state.settings))

    return build


def app_client(app: FastAPI, transport: str = "asgi") -> httpx.AsyncClient:
    """An HTTP client for `app`: over ASGI, or through the Lambda handler as events of a shape
    ("http_v2", "rest_v1", "alb"). tests/api/conftest.py runs each endpoint test per shape."""
    if transport == "asgi":
        asgi = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        return httpx.AsyncClient(transport=asgi, base_url="http://testserver")
    handler = run_on_handler_thread(lambda: build_handler(app, app.state.settings))
    lambda_transport = LambdaTransport(handler, shape=cast(Shape, transport))
    return httpx.AsyncClient(transport=lambda_transport, base_url="http://testserver")


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(app) as http:
        yield http
