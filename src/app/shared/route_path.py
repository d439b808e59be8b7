"""The path routes are matched against, for middlewares that apply to some routes only."""

from starlette.types import Scope


def route_path(scope: Scope) -> str:
    """`scope["path"]` without the API base path (`root_path`), when the path carries it.

    Same rule as Starlette's router: the prefix is removed by whole segment only.
    """
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    if root_path and under_prefix(path, root_path):
        return path[len(root_path) :] or "/"
    return path


def under_prefix(path: str, prefix: str) -> bool:
    """`path` is `prefix` or below it, by whole segment: "/v1" holds "/v1/books", not "/v10"."""
    return path == prefix or path.startswith(f"{prefix}/")
