"""The app's one client per process: built on first use from the first settings, then reused."""

import pytest

from app.core.settings import Settings
from app.db.lazy_client import LazyClient
from tests.conftest import SettingsFactory


class Client:
    def __init__(self, options: str) -> None:
        self.options = options
        self.closed = False


async def close(client: Client) -> None:
    client.closed = True


def test_the_client_is_built_once_from_the_settings_of_the_first_use(
    settings_factory: SettingsFactory,
) -> None:
    derived: list[str] = []

    def options(settings: Settings) -> str:
        derived.append(settings.service_name)
        return settings.service_name

    holder = LazyClient(options, Client, close)

    first = holder.get(settings_factory(service_name="first"))
    again = holder.get(settings_factory(service_name="second"))

    assert again is first
    assert first.options == "first"
    assert derived == ["first"]  # options (a URL parse, a secret read) are derived once


def test_a_failed_build_is_tried_again_on_the_next_use(settings_factory: SettingsFactory) -> None:
    # Given options that fail once, as a secret read does while the extension starts
    failures = [RuntimeError("secret not readable yet")]

    def options(settings: Settings) -> str:
        if failures:
            raise failures.pop()
        return "url"

    holder = LazyClient(options, Client, close)

    with pytest.raises(RuntimeError):
        holder.get(settings_factory())
    assert holder.get(settings_factory()).options == "url"


async def test_close_closes_the_client_and_the_next_use_builds_a_new_one(
    settings_factory: SettingsFactory,
) -> None:
    holder = LazyClient(lambda settings: settings.service_name, Client, close)
    await holder.close()  # nothing built yet: nothing to close
    first = holder.get(settings_factory())

    await holder.close()

    assert first.closed
    second = holder.get(settings_factory())
    assert second is not first
    assert not second.closed
