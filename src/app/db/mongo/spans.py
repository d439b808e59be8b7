"""MongoDB commands as spans (`app.db.spans`), from PyMongo's command listener: named
`find reviews`, `insert reviews`..., never with their documents or filters."""

from pymongo import monitoring

from app.db.spans import Description, call_ended, call_started


class CommandSpans(monitoring.CommandListener):
    def started(self, event: monitoring.CommandStartedEvent) -> None:
        call_started((event.connection_id, event.request_id), lambda: _describe(event))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        call_ended((event.connection_id, event.request_id))

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        # A client-side error names its exception type; a server's answer its code name.
        failure = event.failure
        kind = failure.get("errtype") or failure.get("codeName") or "CommandFailed"
        call_ended((event.connection_id, event.request_id), str(kind))


def _describe(event: monitoring.CommandStartedEvent) -> Description:
    named = event.command.get(event.command_name)
    collection = named if isinstance(named, str) else None
    host, port = event.connection_id
    attributes: dict[str, str | int] = {
        "db.system": "mongodb",
        "db.name": event.database_name,
        "server.address": host,
    }
    if port is not None:
        attributes["server.port"] = port
    if collection is not None:
        attributes["db.mongodb.collection"] = collection
    return event.command_name, collection, attributes
