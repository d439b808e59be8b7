"""The app's routes as the registry lays them out: which domain serves each operation."""

import re

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from app.domains import DOMAINS_PACKAGE

# A path parameter's convertor (`{book_id:except_imports}`), which OpenAPI does not show.
_CONVERTOR = re.compile(r"\{(\w+):[^}]+\}")


def operations_by_domain(app: FastAPI) -> dict[tuple[str, str], str | None]:
    """`(METHOD, path)` of every documented operation (the path as OpenAPI writes it), with the
    registered domain whose routes module declares it (None for the service's own routes: `/`,
    `/health`, ...)."""
    operations: dict[tuple[str, str], str | None] = {}
    for route in iter_route_contexts(app.routes):
        if (
            not isinstance(route.original_route, APIRoute)
            or not route.original_route.include_in_schema
        ):
            continue
        module = route.endpoint.__module__
        domain = None
        if module.startswith(f"{DOMAINS_PACKAGE}.") and module.endswith(".routes"):
            domain = module.removeprefix(f"{DOMAINS_PACKAGE}.").removesuffix(".routes")
        assert route.path is not None  # an APIRoute's, with its router's prefix
        path = _CONVERTOR.sub(r"{\1}", route.path)
        for method in route.methods or ():
            operations[(method, path)] = domain
    return operations
