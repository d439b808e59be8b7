"""What a store's secret may hold, turned into the store's URL: the URL itself, JSON with a
`url` key, or for a database the JSON that Secrets Manager's rotation keeps up to date
(`username`, `password`, `host`, `port`, `dbname`, `engine`), so a rotated secret needs no
second, URL-shaped copy that goes stale at the first rotation.

Errors say what is wrong with the secret, never what it holds.
"""

import json
from dataclasses import dataclass
from typing import TypeGuard
from urllib.parse import quote

from app.core.stores import Store


class SecretFormatError(ValueError):
    """The secret holds no URL for the store (the message names keys, never values)."""


@dataclass(frozen=True, slots=True)
class _DatabaseForm:
    label: str
    engines: frozenset[str]  # the `engine` values Secrets Manager writes for it
    scheme: str
    default_port: int
    options: tuple[str, ...] = ()  # query options the engine needs
    tls_option: str | None = None  # the query option that its JSON's `"ssl": true` means


# The JSON structures of Secrets Manager's database secrets (its rotation functions read and
# write them). Redis has none with a host: ElastiCache's user secrets hold only the user.
_DATABASE_FORMS: dict[Store, _DatabaseForm] = {
    "postgresql": _DatabaseForm(
        "PostgreSQL", frozenset({"postgres", "postgresql", "aurora-postgresql"}), "postgresql", 5432
    ),
    # DocumentDB's structure; DocumentDB refuses retryable writes, which PyMongo turns on.
    "mongo": _DatabaseForm(
        "MongoDB",
        frozenset({"mongo", "docdb"}),
        "mongodb",
        27017,
        options=("retryWrites=false",),
        tls_option="tls=true",
    ),
}
_REQUIRED = ("username", "password", "host")
_HOST_FORBIDDEN = set("/?#@[] \t\r\n")


def url_from_secret(secret: str, store: Store) -> str:
    """The URL `secret` holds for `store`; raises SecretFormatError when it holds none."""
    try:
        document: object = json.loads(secret)
    except ValueError:
        document = secret
    if isinstance(document, dict) and "url" in document:
        document = document["url"]
    if isinstance(document, str) and "://" in document:
        return document
    form = _DATABASE_FORMS.get(store)
    if isinstance(document, dict) and form is not None:
        return _database_url(document, form)
    expected = "the URL itself or JSON with a 'url' key"
    if form is not None:
        expected += f", or {form.label} JSON with username, password and host"
    raise SecretFormatError(f"holds no URL: expected {expected}")


def _database_url(document: dict[str, object], form: _DatabaseForm) -> str:
    engine = document.get("engine")
    if engine is not None and engine not in form.engines:
        expected = ", ".join(sorted(form.engines))
        raise SecretFormatError(f"names another engine than {form.label} ({expected})")
    missing = [key for key in _REQUIRED if not _text(document.get(key))]
    if missing:
        raise SecretFormatError(f"is {form.label} JSON without {', '.join(missing)}")
    host = str(document["host"])
    if _HOST_FORBIDDEN & set(host):
        raise SecretFormatError("has a host that is not a host name or address")
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    port = _port(document.get("port", form.default_port))
    # Percent-encoded, so that any character of a generated password survives the URL.
    user = quote(str(document["username"]), safe="")
    password = quote(str(document["password"]), safe="")
    database = document.get("dbname")
    query = _query(document, form)
    # Without a database, MongoDB's URL still needs the slash before its options.
    path = f"/{quote(database, safe='')}" if _text(database) else "/" if query else ""
    return f"{form.scheme}://{user}:{password}@{host}:{port}{path}{query}"


def _query(document: dict[str, object], form: _DatabaseForm) -> str:
    tls = [form.tls_option] if form.tls_option and document.get("ssl") is True else []
    options = [*tls, *form.options]
    return f"?{'&'.join(options)}" if options else ""


def _port(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 65536:
        return value
    if isinstance(value, str) and value.isdigit() and 0 < int(value) < 65536:
        return int(value)
    raise SecretFormatError("has a port that is not a port number")


def _text(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and value != ""
