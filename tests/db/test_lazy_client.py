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


# Disconnecting a client its driver cannot reconnect (no `disconnect` given) closes it too.
@pytest.mark.parametrize("ending", ["close", "disconnect"])
async def test_the_client_is_closed_and_the_next_use_builds_a_new_one(
    settings_factory: SettingsFactory, ending: str
) -> None:
    holder = LazyClient(lambda settings: settings.service_name, Client, close)
    await getattr(holder, ending)()  # nothing built yet: nothing to close
    first = holder.get(settings_factory())

    await getattr(holder, ending)()

    assert first.closed
    second = holder.get(settings_factory())
    assert second is not first
    assert not second.closed


async def test_disconnect_keeps_the_client_while_its_options_are_unchanged(
    settings_factory: SettingsFactory,
) -> None:
    disconnected: list[Client] = []

    async def disconnect(client: Client) -> None:
        disconnected.append(client)

    holder = LazyClient(lambda settings: settings.service_name, Client, close, disconnect)
    first = holder.get(settings_factory(service_name="same"))

    await holder.disconnect()
    await holder.disconnect()  # safe to repeat

    assert disconnected == [first, first]
    assert not first.closed
    assert holder.get(settings_factory(service_name="same")) is first


async def test_after_a_disconnect_changed_options_replace_the_client(
    settings_factory: SettingsFactory,
) -> None:
    # Given a client built from a secret's URL, disconnected (as before a snapshot)
    async def disconnect(client: Client) -> None:
        return None

    secret = ["postgresql://old"]
    holder = LazyClient(lambda settings: secret[0], Client, close, disconnect)
    first = holder.get(settings_factory())
    await holder.disconnect()

    # When the secret changed meanwhile (rotated while the snapshot waited)
    secret[0] = "postgresql://new"

    # Then the next use builds a client from the new URL, and keeps it
    second = holder.get(settings_factory())
    assert second is not first
    assert second.options == "postgresql://new"
    secret[0] = "postgresql://newer"
    assert holder.get(settings_factory()) is second  # read once again only after a disconnect
