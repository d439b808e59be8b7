"""PostgreSQL statements as spans (`app.db.spans`), from SQLAlchemy's cursor events: named
`SELECT books`, `INSERT books`..., never with their parameters."""

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, ExceptionContext, ExecutionContext
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import TableClause, visitors

from app.db.spans import Description, call_ended, call_started


def trace_statements(engine: AsyncEngine) -> None:
    url = engine.url
    attributes: dict[str, str | int] = {
        "db.system": "postgresql",
        "db.name": url.database or "",
        "server.address": url.host or "",
        "server.port": url.port or 5432,
    }

    def started(
        _connection: Connection,
        _cursor: Any,
        statement: str,
        _parameters: Any,
        context: ExecutionContext,
        _many: bool,
    ) -> None:
        def describe() -> Description:
            operation, table = _operation(context, statement)
            target = {} if table is None else {"db.sql.table": table}
            return operation, table, {**attributes, **target}

        call_started(context, describe)

    def ended(
        _connection: Connection,
        _cursor: Any,
        _statement: str,
        _parameters: Any,
        context: ExecutionContext,
        _many: bool,
    ) -> None:
        call_ended(context)

    def failed(error: ExceptionContext) -> None:
        if error.execution_context is not None:
            call_ended(error.execution_context, type(error.original_exception).__qualname__)

    sync_engine = engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", started)
    event.listen(sync_engine, "after_cursor_execute", ended)
    event.listen(sync_engine, "handle_error", failed)


def _operation(context: ExecutionContext, statement: str) -> tuple[str, str | None]:
    """The statement's SQL keyword and its first table, from the statement SQLAlchemy
    compiled (a text statement has none)."""
    compiled = getattr(context, "compiled", None)
    compiled_statement = getattr(compiled, "statement", None)
    table = getattr(compiled_statement, "table", None)  # INSERT, UPDATE, DELETE
    if not isinstance(table, TableClause) and compiled_statement is not None:
        elements = visitors.iterate(compiled_statement)  # SELECT, EXISTS, subqueries
        table = next((each for each in elements if isinstance(each, TableClause)), None)
    keyword = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "postgresql"
    return keyword, table.name if isinstance(table, TableClause) else None
