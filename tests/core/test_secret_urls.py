"""What a store secret may hold: a URL, JSON with a `url` key, or the JSON of a rotated
database secret; the URLs built from JSON parse back, with the drivers' own parsers, into the
credentials the secret holds, whatever characters they contain."""

import json

import pytest
from pymongo.uri_parser import parse_uri
from sqlalchemy import make_url

from app.core.secret_urls import SecretFormatError, url_from_secret
from app.core.stores import Store

# Every character a URL gives a meaning to, and some it does not allow.
AWKWARD = "p@ss:w/rd?#[]%+ &=é"


def rds(**changes: object) -> str:
    """A secret as Secrets Manager's RDS for PostgreSQL rotation keeps it."""
    secret: dict[str, object] = {
        "engine": "postgres",
        "host": "db.abc123.eu-west-1.rds.amazonaws.com",
        "port": 5432,
        "username": "app",
        "password": "s3cret-value",
        "dbname": "books",
        "dbInstanceIdentifier": "db",
    }
    secret.update(changes)
    return json.dumps({key: value for key, value in secret.items() if value is not None})


@pytest.mark.parametrize(
    "secret",
    [
        "postgresql+psycopg://app:pw@db:5432/app",
        '{"url": "postgresql+psycopg://app:pw@db:5432/app", "other": 1}',
        '"postgresql+psycopg://app:pw@db:5432/app"',
    ],
)
def test_a_url_or_json_with_a_url_key_is_the_url(secret: str) -> None:
    assert url_from_secret(secret, "postgresql") == "postgresql+psycopg://app:pw@db:5432/app"


def test_an_rds_secret_is_a_postgresql_url() -> None:
    url = make_url(url_from_secret(rds(), "postgresql"))
    assert (url.username, url.password, url.host, url.port, url.database) == (
        "app",
        "s3cret-value",
        "db.abc123.eu-west-1.rds.amazonaws.com",
        5432,
        "books",
    )


def test_credentials_of_any_characters_survive_the_url() -> None:
    url = make_url(url_from_secret(rds(username=f"u{AWKWARD}", password=AWKWARD), "postgresql"))
    assert (url.username, url.password) == (f"u{AWKWARD}", AWKWARD)


@pytest.mark.parametrize(
    ("changes", "host", "port", "database"),
    [
        ({"port": None, "dbname": None, "engine": None}, "db.example", 5432, None),
        ({"port": "6432", "engine": "aurora-postgresql"}, "db.example", 6432, "books"),
        ({"host": "fd00::5"}, "fd00::5", 5432, "books"),
    ],
)
def test_port_database_and_engine_are_optional(
    changes: dict[str, object], host: str, port: int, database: str | None
) -> None:
    secret = rds(**{"host": "db.example", **changes})
    url = make_url(url_from_secret(secret, "postgresql"))
    assert (url.host, url.port, url.database) == (host, port, database)


def test_a_documentdb_secret_is_a_mongodb_url() -> None:
    secret = {
        "engine": "mongo",
        "host": "docs.cluster-abc.eu-west-1.docdb.amazonaws.com",
        "username": "app",
        "password": AWKWARD,
        "dbname": "reviews",
        "ssl": True,
    }
    parsed = parse_uri(url_from_secret(json.dumps(secret), "mongo"))
    assert parsed["nodelist"] == [("docs.cluster-abc.eu-west-1.docdb.amazonaws.com", 27017)]
    assert (parsed["username"], parsed["password"], parsed["database"]) == (
        "app",
        AWKWARD,
        "reviews",
    )
    # DocumentDB refuses retryable writes; TLS as the secret says.
    assert parsed["options"]["retryWrites"] is False
    assert parsed["options"]["tls"] is True


def test_a_mongodb_secret_without_a_database_leaves_it_to_mongo_database() -> None:
    secret = {"engine": "mongo", "host": "docs", "port": 27018, "username": "a", "password": "b"}
    parsed = parse_uri(url_from_secret(json.dumps(secret), "mongo"))
    assert parsed["nodelist"] == [("docs", 27018)]
    assert parsed["database"] is None
    assert "tls" not in parsed["options"]


@pytest.mark.parametrize(
    ("store", "secret", "problem"),
    [
        ("postgresql", rds(password=None), "PostgreSQL JSON without password"),
        ("postgresql", rds(host="", username=None), "PostgreSQL JSON without username, host"),
        ("postgresql", rds(engine="mysql"), "names another engine than PostgreSQL"),
        ("postgresql", rds(port="fifty"), "has a port that is not a port number"),
        ("postgresql", rds(port=True), "has a port that is not a port number"),
        ("postgresql", rds(host="evil/host"), "has a host that is not a host name"),
        ("mongo", rds(), "names another engine than MongoDB"),
        ("postgresql", "s3cret-value", "holds no URL: expected the URL itself"),
        ("postgresql", '["s3cret-value"]', "or PostgreSQL JSON with username, password and host"),
        ("redis", '{"username": "app", "password": "s3cret-value"}', "JSON with a 'url' key"),
    ],
)
def test_a_secret_without_a_url_says_what_is_missing_never_its_values(
    store: Store, secret: str, problem: str
) -> None:
    with pytest.raises(SecretFormatError) as raised:
        url_from_secret(secret, store)
    message = str(raised.value)
    assert problem in message
    assert "s3cret-value" not in message
    assert "abc123" not in message


def test_redis_has_no_json_form() -> None:
    with pytest.raises(SecretFormatError) as raised:
        url_from_secret(rds(engine=None), "redis")
    assert "PostgreSQL" not in str(raised.value)
