"""The registry: the domains this service serves, the one place that names them.

Each is a package `app.domains.<name>` (see README, "Adding a domain"). Everything that needs
every domain reads this tuple: the routers (`routes.router`), the error-code table
(`errors`), Alembic's model discovery (`models`) and the sample data (`sample_data`).
`make module` adds a line here; nothing else names a domain.
"""

import importlib
from importlib.util import find_spec
from types import ModuleType

DOMAINS: tuple[str, ...] = (
    "books",
    "reviews",
)

DOMAINS_PACKAGE = "app.domains"


def domain_modules(part: str) -> list[ModuleType]:
    """Each registered domain's module `part` (e.g. "routes"), imported, in registry
    order; a domain without that module is left out."""
    names = (f"{DOMAINS_PACKAGE}.{domain}.{part}" for domain in DOMAINS)
    return [importlib.import_module(name) for name in names if find_spec(name) is not None]
