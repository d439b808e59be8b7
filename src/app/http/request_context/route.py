"""The request's route as its template (`/v1/books/{book_id}`), never the raw path: the
`route` field and the Route dimension of the request's line, a bounded set of values."""

from fastapi.routing import (  # the private helper is what FastAPI's telemetry reads
    RouteContext,
    _get_scope_effective_route_context,
    iter_route_contexts,
)
from starlette.types import Scope

from app.http.asgi import route_path

# Every request that matched no route: one value, whatever the path.
UNMATCHED_ROUTE = "unmatched"


class RouteTemplates:
    """The route templates of one app's requests.

    The router leaves the route it chose in `scope["route"]`; for a route of an included
    router that is the router's own route, without the prefixes it was included under, and
    FastAPI records the route as the app sees it beside it: the template is read as FastAPI's
    telemetry reads it for `http.route`. A request the router never saw is matched against
    the app's routes, indexed on first need (building that index costs milliseconds, so
    routed requests never do).
    """

    def __init__(self) -> None:
        self._contexts: list[RouteContext] | None = None

    def template(self, scope: Scope) -> str:
        """The template of the route that served the request, or of the one it was meant for
        when a middleware answered first (401, 413, 429...); `UNMATCHED_ROUTE` when no route
        has its path."""
        route = scope.get("route")
        if route is None:
            return self._matching(scope)
        context = _get_scope_effective_route_context(scope)
        if context is not None and context.original_route is route:
            template = getattr(context.starlette_route, "path_format", None) or getattr(
                context, "path_format", None
            )
        else:
            template = getattr(route, "path_format", None)  # a route of the app itself
        return template if isinstance(template, str) else UNMATCHED_ROUTE

    def _matching(self, scope: Scope) -> str:
        # Requests routing never reached and the docs (plain Starlette routes): the first
        # route whose path matches, as the router would have chosen.
        if self._contexts is None:
            self._contexts = list(iter_route_contexts(getattr(scope.get("app"), "routes", ())))
        path = route_path(scope)
        for context in self._contexts:
            regex = getattr(context, "path_regex", None)
            if context.path_format and regex is not None and regex.match(path):
                return context.path_format
        return UNMATCHED_ROUTE
