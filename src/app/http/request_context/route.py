"""The request's route as its template (`/v1/books/{book_id}`), never the raw path: the
`route` field and the Route dimension of the request's line, a bounded set of values."""

from fastapi.routing import RouteContext, iter_route_contexts
from starlette.types import Scope

from app.http.asgi import route_path

# Every request that matched no route: one value, whatever the path.
UNMATCHED_ROUTE = "unmatched"


class RouteTemplates:
    """The templates of one app's routes, indexed on first use and again when routes were added.

    The router leaves the route it chose in `scope["route"]`; for a route of an included
    router that is the router's own route, without the prefixes it was included under, so
    the template comes from the app's view of it (`iter_route_contexts`).
    """

    def __init__(self) -> None:
        self._contexts: list[RouteContext] = []
        self._by_route: dict[int, list[RouteContext]] = {}
        self._unknown: set[int] = set()

    def template(self, scope: Scope) -> str:
        """The template of the route that served the request, or of the one it was meant for
        when a middleware answered first (401, 413, 429...) or the method was wrong;
        `UNMATCHED_ROUTE` when no route has its path."""
        route = scope.get("route")
        if route is not None:
            key = id(route)
            contexts = self._by_route.get(key)
            if contexts is None and key not in self._unknown:
                self._index(scope)
                contexts = self._by_route.get(key)
                if contexts is None:
                    self._unknown.add(key)
            if contexts is not None and len(contexts) == 1:
                return contexts[0].path_format or UNMATCHED_ROUTE
        return self._matching(scope)

    def _index(self, scope: Scope) -> None:
        self._contexts = list(iter_route_contexts(getattr(scope.get("app"), "routes", ())))
        self._by_route = {}
        for context in self._contexts:
            self._by_route.setdefault(id(context.original_route), []).append(context)

    def _matching(self, scope: Scope) -> str:
        # Requests routing never reached, the docs (plain Starlette routes), and a route
        # included more than once: the first route whose path matches, as the router does.
        if not self._contexts:
            self._index(scope)
        path = route_path(scope)
        for context in self._contexts:
            regex = getattr(context, "path_regex", None)
            if context.path_format and regex is not None and regex.match(path):
                return context.path_format
        return UNMATCHED_ROUTE
