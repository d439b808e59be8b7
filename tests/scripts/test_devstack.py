"""Tests of scripts/devstack.py against the real PostgreSQL, Redis and MongoDB servers it starts."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pymongo
import pytest
import redis

from scripts import devstack

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "devstack.py"

ELSEWHERE = {
    "POSTGRESQL_URL": "postgresql+psycopg://app:hunter2@db.invalid:5432/app",
    "REDIS_URL": "redis://cache.invalid:6379/0",
    "MONGO_URL": "mongodb://app:hunter2@mongo.invalid:27017/app",
}


@pytest.fixture(autouse=True)
def no_store_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in devstack.URL_VARS:
        monkeypatch.delenv(var, raising=False)


def descendants() -> set[int]:
    """Pids of every live process below this one (servers live in their own sessions)."""
    return set(devstack.process_tree(os.getpid())) - {os.getpid()}


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def pg_url(urls: dict[str, str]) -> str:
    return urls["POSTGRESQL_URL"].replace("postgresql+psycopg://", "postgresql://")


def mongo(urls: dict[str, str]) -> pymongo.MongoClient[dict[str, Any]]:
    return pymongo.MongoClient(urls["MONGO_URL"], serverSelectionTimeoutMS=5000)


async def async_mongo_ping(url: str) -> dict[str, Any]:
    client: pymongo.AsyncMongoClient[dict[str, Any]] = pymongo.AsyncMongoClient(url)
    try:
        return await client.admin.command("ping")
    finally:
        await client.close()


def test_ephemeral_stack_serves_real_stores_and_stop_leaves_nothing() -> None:
    before = descendants()
    stack = devstack.DevStack()
    try:
        urls = stack.start()
        started = descendants() - before
        assert set(urls) == set(devstack.URL_VARS)
        with psycopg.connect(pg_url(urls)) as conn:
            assert conn.execute("select 1, current_database()").fetchone() == (1, "app")
        with redis.Redis.from_url(urls["REDIS_URL"]) as cache:
            assert cache.ping()
        with mongo(urls) as client:
            assert client.admin.command("ping")["ok"] == 1
            items = client.get_default_database()["items"]
            items.insert_one({"_id": 1, "name": "widget"})
            assert items.find_one({"_id": 1}) == {"_id": 1, "name": "widget"}
        assert asyncio.run(async_mongo_ping(urls["MONGO_URL"]))["ok"] == 1
        root = stack.root
    finally:
        stack.stop()
    ports = [urlsplit(url).port or 0 for url in urls.values()]
    assert started
    assert not started & descendants(), "a server process outlived stop()"
    assert not any(port_open(port) for port in ports)
    assert root is not None
    assert not root.exists()
    stack.stop()  # idempotent


def test_store_with_url_in_environment_is_not_started(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("POSTGRESQL_URL", "MONGO_URL"):
        monkeypatch.setenv(var, ELSEWHERE[var])
    with devstack.DevStack() as stack:
        assert set(stack.urls) == {"REDIS_URL"}
        with redis.Redis.from_url(stack.urls["REDIS_URL"]) as cache:
            assert cache.ping()
    monkeypatch.setenv("REDIS_URL", ELSEWHERE["REDIS_URL"])
    with devstack.DevStack() as stack:
        assert stack.urls == {}
        assert stack.root is None


def test_persistent_data_dir_survives_restart(tmp_path: Path) -> None:
    with devstack.DevStack(tmp_path) as stack:
        with psycopg.connect(pg_url(stack.urls)) as conn:
            conn.execute("create table notes (body text)")
            conn.execute("insert into notes values ('kept')")
        with redis.Redis.from_url(stack.urls["REDIS_URL"]) as cache:
            cache.set("note", "kept")
        with mongo(stack.urls) as client:
            client.get_default_database()["notes"].insert_one({"body": "kept"})
    with devstack.DevStack(tmp_path) as stack:
        assert stack.timings["postgresql"] < 10  # no initdb the second time
        with psycopg.connect(pg_url(stack.urls)) as conn:
            assert conn.execute("select body from notes").fetchall() == [("kept",)]
        with redis.Redis.from_url(stack.urls["REDIS_URL"]) as cache:
            assert cache.get("note") == b"kept"
        with mongo(stack.urls) as client:
            note = client.get_default_database()["notes"].find_one({}, {"_id": 0})
            assert note == {"body": "kept"}
    assert (tmp_path / "postgresql" / "PG_VERSION").exists()


def test_startup_failure_names_the_store_and_shows_its_log(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for var in ("POSTGRESQL_URL", "MONGO_URL"):
        monkeypatch.setenv(var, ELSEWHERE[var])
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        monkeypatch.setattr(devstack, "free_ports", lambda count=1: [port] * count)
        stack = devstack.DevStack()
        with pytest.raises(devstack.DevStackError, match="redis failed to start") as error:
            stack.start()
    assert "in use" in str(error.value)  # the tail of redis' own log
    assert stack.root is None


def test_mask_url_hides_only_the_password() -> None:
    assert devstack.mask_url(ELSEWHERE["MONGO_URL"]) == "mongodb://app:***@mongo.invalid:27017/app"
    assert devstack.mask_url(ELSEWHERE["REDIS_URL"]) == ELSEWHERE["REDIS_URL"]


def test_cli_run_exports_urls_and_returns_the_command_exit_code() -> None:
    env = {**os.environ, "POSTGRESQL_URL": ELSEWHERE["POSTGRESQL_URL"]}
    env["MONGO_URL"] = ELSEWHERE["MONGO_URL"]
    code = "import os, sys; print(os.environ['REDIS_URL']); sys.exit(3)"
    command = [sys.executable, str(SCRIPT), "run", "--", sys.executable, "-c", code]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 3, result.stderr
    assert result.stdout.startswith("redis://127.0.0.1:")
    assert "started redis" in result.stderr
    assert "hunter2" not in result.stderr
    assert "MONGO_URL from the environment: mongodb://app:***@mongo.invalid" in result.stderr


def test_a_store_can_be_paused_killed_and_restarted_on_its_data(tmp_path: Path) -> None:
    with devstack.DevStack(tmp_path, only={"redis"}) as stack:
        client = redis.Redis.from_url(stack.urls["REDIS_URL"], socket_timeout=0.3)
        client.set("kept", "yes")
        client.save()

        stack.pause("redis")  # accepts connections, never answers
        with pytest.raises(redis.TimeoutError):
            client.ping()
        stack.resume("redis")
        assert client.ping()

        before = descendants()
        stack.kill("redis")
        assert not port_open(urlsplit(stack.urls["REDIS_URL"]).port or 0)
        gone = before - descendants()
        assert gone
        assert not [pid for pid in gone if Path(f"/proc/{pid}").exists()]  # reaped, no zombie
        with pytest.raises(devstack.DevStackError, match="not running"):
            stack.pause("redis")

        url = stack.restart("redis")
        assert url == stack.urls["REDIS_URL"]
        assert redis.Redis.from_url(url).get("kept") == b"yes"
        with pytest.raises(devstack.DevStackError, match="not started by this stack"):
            stack.kill("postgresql")


def test_dotenv_fills_what_the_environment_leaves_unset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "# copied from .env.example\nPOSTGRESQL_URL=\nREDIS_URL=redis://from-dotenv:6379/0\n"
        "MONGO_URL=mongodb://from-dotenv/app\nLOG_LEVEL=DEBUG\n"
    )
    monkeypatch.setenv("MONGO_URL", ELSEWHERE["MONGO_URL"])  # the environment wins
    monkeypatch.setenv("REDIS_URL", "")  # an empty value counts as unset

    exported = devstack.load_dotenv(dotenv, names=devstack.URL_VARS)

    assert exported == {"REDIS_URL": "redis://from-dotenv:6379/0"}
    assert os.environ["REDIS_URL"] == "redis://from-dotenv:6379/0"
    assert os.environ["MONGO_URL"] == ELSEWHERE["MONGO_URL"]
    assert "POSTGRESQL_URL" not in os.environ  # empty in .env: still unset, so embedded
    assert "LOG_LEVEL" not in exported
    assert devstack.load_dotenv(tmp_path / "missing.env") == {}


def test_cli_takes_store_urls_from_dotenv(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        f"POSTGRESQL_URL={ELSEWHERE['POSTGRESQL_URL']}\nMONGO_URL={ELSEWHERE['MONGO_URL']}\n"
        "REDIS_URL=\nSERVICE_NAME=from-dotenv\n"
    )
    code = "import os; print(os.environ['SERVICE_NAME'], os.environ['REDIS_URL'])"
    command = [sys.executable, str(SCRIPT), "run", "--env-file", str(dotenv)]
    command += ["--", sys.executable, "-c", code]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("from-dotenv redis://127.0.0.1:")
    assert "POSTGRESQL_URL from .env: postgresql+psycopg://app:***@db.invalid" in result.stderr
    assert "started postgresql" not in result.stderr


def test_a_second_stack_on_a_data_dir_joins_the_running_one(tmp_path: Path) -> None:
    with devstack.DevStack(tmp_path, needs={"redis"}) as owner:
        url = owner.urls["REDIS_URL"]
        running = descendants()

        with devstack.DevStack(tmp_path, needs={"redis"}) as joiner:
            assert joiner.urls == {"REDIS_URL": url}
            assert joiner.joined == os.getpid()
            assert descendants() == running  # nothing else started
        assert redis.Redis.from_url(url).ping()  # the joiner left the owner's server running

        # A command that needs a store the running stack lacks is told so
        with pytest.raises(devstack.DevStackError, match="has no POSTGRESQL_URL"):
            devstack.DevStack(tmp_path, needs={"postgresql"}).start()
    assert not port_open(urlsplit(url).port or 0)

    # The owner is gone: the next stack owns the data dir again
    with devstack.DevStack(tmp_path, needs={"redis"}) as successor:
        assert successor.joined is None
        assert redis.Redis.from_url(successor.urls["REDIS_URL"]).ping()


def test_make_reset_refuses_while_a_stack_runs_then_deletes_the_data(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    reset = ["make", "--no-print-directory", "reset", f"DATA_DIR={tmp_path}"]
    with devstack.DevStack(tmp_path, needs={"redis"}):
        assert devstack.running_on(tmp_path)
        refused = subprocess.run(reset, cwd=root, capture_output=True, text=True, timeout=120)
        assert refused.returncode != 0
        assert "stop it first" in refused.stderr
        assert (tmp_path / "redis").is_dir()
    assert not devstack.running_on(tmp_path)
    done = subprocess.run(reset, cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "redis").exists()
    assert not list(tmp_path.glob("*.log"))


QUEUES_CHILD = """
import json, os, sys
import botocore.session
sqs = botocore.session.get_session().create_client("sqs")
url = os.environ["BOOKS_IMPORT_QUEUE_URL"]
names = sorted(queue.rsplit("/", 1)[1] for queue in sqs.list_queues()["QueueUrls"])
redrive = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])
print(json.dumps({"url": url, "names": names, "redrive": redrive["Attributes"]["RedrivePolicy"]}))
sys.exit(3)
"""


def run_with_queues(env: dict[str, str], *needs: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(SCRIPT), "run", "--queues", "--needs", ",".join(needs)]
    command += ["--", sys.executable, "-c", QUEUES_CHILD]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_run_with_queues_starts_a_local_sqs_with_the_consumers_queues_and_stops_it() -> None:
    before = descendants()
    env = {**os.environ, **ELSEWHERE}

    result = run_with_queues(env, "sqs")

    assert result.returncode == 3, result.stderr
    assert "started sqs" in result.stderr
    made = json.loads(result.stdout)
    endpoint = urlsplit(made["url"])
    assert endpoint.hostname == "127.0.0.1"
    assert made["names"] == ["books-import", "books-import-dlq"]
    assert json.loads(made["redrive"])["deadLetterTargetArn"].endswith(":books-import-dlq")
    assert descendants() == before  # the SQS server and the poller stopped with the command
    assert not port_open(endpoint.port or 0)


def test_run_with_queues_uses_the_sqs_endpoint_the_environment_names(moto_endpoint: str) -> None:
    env = {**os.environ, **ELSEWHERE, "AWS_ENDPOINT_URL_SQS": moto_endpoint}
    env |= {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}

    result = run_with_queues(env, "sqs")

    assert result.returncode == 3, result.stderr
    assert "started sqs" not in result.stderr
    assert json.loads(result.stdout)["url"].startswith(moto_endpoint)


def test_stores_without_sqs_start_no_queues() -> None:
    code = "import os; print(os.environ.get('BOOKS_IMPORT_QUEUE_URL'))"
    command = [sys.executable, str(SCRIPT), "run", "--queues", "--needs", "redis"]
    command += ["--", sys.executable, "-c", code]
    env = {**os.environ, **ELSEWHERE}

    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "None"
