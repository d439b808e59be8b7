"""The path routes are matched against, for middlewares that apply to some routes only."""

from starlette.types import Scope


def route_path(scope: Scope) -> str:
    """`scope["path"]` without the API base path (`root_path`), when the path carries it.

    Same rule as Starlette's router: the prefix is removed by whole segment only.
    """
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    if root_path and path.startswith(root_path):
        rest = path[len(root_path) :]
        if rest == "" or rest.startswith("/"):
            return rest or "/"
    return path
