"""The dev issuer: `make token` gives a token the app accepts, `make run` starts the issuer when
AUTH_ENABLED is true, and none of it runs outside local and testing."""

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from scripts import dev_issuer
from scripts.devstack import free_ports
from tests.conftest import AppFactory, app_client
from tests.support.envelope import assert_envelope

ROOT = Path(__file__).parents[2]


@pytest.fixture
def running_issuer(tmp_path: Path) -> Iterator[tuple[int, rsa.RSAPrivateKey]]:
    (port,) = free_ports()
    key = dev_issuer.private_key(tmp_path / "key.pem")
    server = dev_issuer.serve(key, port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield port, key
    server.shutdown()
    server.server_close()


async def test_a_dev_token_is_accepted_by_the_app(
    running_issuer: tuple[int, rsa.RSAPrivateKey], app_factory: AppFactory
) -> None:
    port, key = running_issuer
    app = app_factory(
        auth_enabled=True,
        auth_issuer=dev_issuer.issuer_url(port),
        auth_audience=[dev_issuer.AUDIENCE],
    )
    token = dev_issuer.mint(key, port=port, subject="dev", scopes=dev_issuer.every_scope())
    reader = dev_issuer.mint(key, port=port, subject="dev", scopes=["books:read"])
    async with app_client(app) as client:
        allowed = await client.get("/v1/books", headers={"Authorization": f"Bearer {token}"})
        book = {"title": "T", "author": "A", "year": 2000, "type": "online"}
        headers = {"Authorization": f"Bearer {reader}"}
        refused = await client.post("/v1/books", json=book, headers=headers)
    assert_envelope(allowed, 200)
    assert_envelope(refused, 403, code=8013)


def test_every_scope_is_each_domains_read_and_write() -> None:
    scopes = dev_issuer.every_scope()
    assert {"books:read", "books:write", "reviews:read", "reviews:write"} <= set(scopes)


def test_the_key_is_made_once_and_kept_private(tmp_path: Path) -> None:
    path = tmp_path / "auth" / "key.pem"
    first = dev_issuer.private_key(path)
    again = dev_issuer.private_key(path)
    assert first.private_numbers() == again.private_numbers()
    assert path.stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("command", [["token"], ["serve"]])
def test_it_refuses_to_run_outside_local_and_testing(command: list[str]) -> None:
    env = {**os.environ, "ENVIRONMENT": "staging"}
    result = subprocess.run(
        [sys.executable, "scripts/dev_issuer.py", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "for local work only, not ENVIRONMENT=staging" in result.stderr


PROBE = """
import json, os, urllib.request
url = os.environ["AUTH_ISSUER"] + "/.well-known/jwks.json"
keys = json.load(urllib.request.urlopen(url, timeout=5))["keys"]
print(json.dumps({"issuer": os.environ["AUTH_ISSUER"], "audience": os.environ["AUTH_AUDIENCE"],
                  "kids": [key["kid"] for key in keys]}))
"""


def test_devstack_run_starts_the_issuer_when_auth_is_enabled_and_stops_it() -> None:
    # Given every store URL set (nothing else starts) and AUTH_ENABLED without an issuer
    (port,) = free_ports()
    env = {
        **os.environ,
        "AUTH_ENABLED": "true",
        "DEV_ISSUER_PORT": str(port),
        "ENVIRONMENT": "local",
    }
    env.pop("AUTH_ISSUER", None)
    env.pop("AUTH_AUDIENCE", None)
    command = [sys.executable, "scripts/devstack.py", "run", "--", sys.executable, "-c", PROBE]

    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen == {
        "issuer": f"http://127.0.0.1:{port}",
        "audience": dev_issuer.AUDIENCE,
        "kids": [dev_issuer.KEY_ID],
    }
    with pytest.raises(ConnectionRefusedError):  # stopped with the command
        socket.create_connection(("127.0.0.1", port), timeout=1)
