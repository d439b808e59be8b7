"""The process-wide `AsyncMongoClient`: created on first use, reused across Lambda invocations.

pymongo is imported inside functions only, so importing the app loads no driver.
"""

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC
from typing import TYPE_CHECKING

from app.core.secrets import store_url
from app.core.settings import Settings
from app.core.stores import StoreUnavailableError
from app.db.deadline import Deadline
from app.db.lazy_client import LazyClient
from app.db.mongo.base import Document, MongoDocument
from app.db.refused_login import forget_refused_login
from app.db.spans import calls_to

if TYPE_CHECKING:
    from pymongo import AsyncMongoClient
    from pymongo.asynchronous.collection import AsyncCollection
    from pymongo.asynchronous.database import AsyncDatabase


class MongoConfigurationError(StoreUnavailableError):
    """MongoDB is used but not configured well enough to connect (names the variable): a
    deployment without MongoDB answers its 503 on the routes that need it (and logs this)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "mongo")


class MongoLoginRefusedError(StoreUnavailableError):
    """The server refused the user and password of the URL (a password rotated since)."""


AUTHENTICATION_FAILED = 18  # the server's error code for a refused login


@dataclass(frozen=True, slots=True)
class MongoOptions:
    url: str
    database: str | None
    appname: str
    connect_timeout_ms: int
    timeout_ms: int

    @classmethod
    def from_settings(cls, settings: Settings) -> "MongoOptions":
        url = store_url(settings, "mongo")
        if url is None:
            raise MongoConfigurationError("MONGO_URL (or MONGO_URL_SECRET_ID) is not set")
        return cls(
            url=url,
            database=settings.mongo_database,
            appname=settings.service_name,
            connect_timeout_ms=settings.mongo_connect_timeout_ms,
            timeout_ms=settings.mongo_timeout_ms,
        )


@dataclass(slots=True)
class Connection:
    client: "AsyncMongoClient[Document]"
    database: "AsyncDatabase[Document]"
    indexed_collections: set[str] = field(default_factory=set)


def _connect(options: MongoOptions) -> Connection:
    from pymongo import AsyncMongoClient
    from pymongo.errors import ConfigurationError

    from app.db.mongo.spans import CommandSpans

    # No I/O happens here: the client connects in the background on its first operation.
    client: AsyncMongoClient[Document] = AsyncMongoClient(
        options.url,
        appname=options.appname,
        uuidRepresentation="standard",
        tz_aware=True,
        tzinfo=UTC,
        connectTimeoutMS=options.connect_timeout_ms,
        # The bound on each operation, server selection and retries included (the driver's
        # client-side operation timeout, which replaces serverSelectionTimeoutMS and
        # socketTimeoutMS); `reading` and `writing` bound a whole block by it.
        timeoutMS=options.timeout_ms,
        event_listeners=[CommandSpans()],
    )
    # The database named in the URL path wins; MONGO_DATABASE names it when the URL does not
    # (a Secrets Manager URL from Atlas often has no path).
    try:
        database = client.get_default_database(options.database)
    except ConfigurationError:
        raise MongoConfigurationError(
            "MongoDB database unknown: name it in the MONGO_URL path or set MONGO_DATABASE"
        ) from None
    return Connection(client, database)


async def _close(connection: Connection) -> None:
    await connection.client.close()


shared = LazyClient(MongoOptions.from_settings, _connect, _close)


async def get_collection(
    settings: Settings, model: type[MongoDocument]
) -> "AsyncCollection[Document]":
    """The model's collection; its declared indexes are ensured once per client."""
    connection = shared.get(settings)
    collection = connection.database[model.collection_name]
    if model.indexes and model.collection_name not in connection.indexed_collections:
        from pymongo import IndexModel

        # createIndexes is a no-op for existing identical indexes; racing first requests are safe.
        await collection.create_indexes(
            [
                IndexModel(list(spec.keys), name=spec.name, unique=spec.unique)
                for spec in model.indexes
            ]
        )
        connection.indexed_collections.add(model.collection_name)
    return collection


def durable(collection: "AsyncCollection[Document]") -> "AsyncCollection[Document]":
    """The collection with writes acknowledged only once a majority of the replica set has
    them in its journal, so an acknowledged write survives the loss of the primary."""
    from pymongo import WriteConcern

    return collection.with_options(write_concern=WriteConcern("majority", j=True))


@asynccontextmanager
async def reading(
    settings: Settings, model: type[MongoDocument]
) -> AsyncIterator["AsyncCollection[Document]"]:
    """The model's collection for a block of reads, all of them within MONGO_TIMEOUT_MS."""
    with calls_to("mongodb"):
        async with _bounded(settings):
            yield await get_collection(settings, model)


@asynccontextmanager
async def writing(
    settings: Settings, model: type[MongoDocument]
) -> AsyncIterator["AsyncCollection[Document]"]:
    """The model's collection for a block of writes, all within MONGO_TIMEOUT_MS; each write
    is acknowledged only once durable (`durable`)."""
    with calls_to("mongodb"):
        async with _bounded(settings):
            yield durable(await get_collection(settings, model))


@asynccontextmanager
async def _bounded(settings: Settings) -> AsyncIterator[None]:
    """MONGO_TIMEOUT_MS on everything the block does. The driver computes each operation's
    socket and server-selection timeouts from what is left (`pymongo.timeout`) and raises its
    timeout error (a 503) when it runs out, even against a server that accepts connections
    and never answers. Its server selection checks the time only every 0.5 s, though, so a
    dead server could hold the block half a second longer: `Deadline` cuts it at the bound."""
    import pymongo
    from pymongo.errors import OperationFailure

    seconds = settings.mongo_timeout_ms / 1000
    try:
        async with Deadline(seconds, store="mongo"):
            with pymongo.timeout(seconds):
                yield
    except OperationFailure as error:
        if error.code != AUTHENTICATION_FAILED:
            raise
        await forget_refused_login(settings, "mongo", shared)
        raise MongoLoginRefusedError("MongoDB refused the login", "mongo") from error


def reseed_object_ids() -> None:
    """New random parts for the ObjectIds this process generates (for documents inserted
    without an `_id`): PyMongo draws them once per process id, and every sandbox restored
    from one snapshot has the snapshot's process and would generate the same ids."""
    if "bson.objectid" not in sys.modules:
        return  # PyMongo was never loaded: no ObjectId drawn, nothing to import for it
    import secrets

    from bson.objectid import ObjectId

    # PyMongo draws new random bytes when the process id differs from the one it recorded
    # (its defence against fork); no process id is 0, so the next ObjectId draws afresh.
    ObjectId._pid = 0
    ObjectId._inc = secrets.randbelow(0xFFFFFF + 1)


async def ping(settings: Settings) -> None:
    """Round trip to the server (readiness); raises the driver's error when it is unreachable."""
    with calls_to("mongodb"):
        await shared.get(settings).database.command("ping")
