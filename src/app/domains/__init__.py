"""The registry: the domains this service serves, the one place that names them.

Each is a package `app.domains.<name>` (see README, "Adding a domain"). Everything that needs
every domain reads this tuple: the routers (`routes.router`), the error-code table
(`errors`), Alembic's model discovery (`models`), the sample data (`sample_data`), and the
queue consumers and scheduled jobs (`consumers`, `jobs`: docs/background.md).
`make module` adds a line here; nothing else names a domain.
"""

from importlib.util import find_spec
from types import ModuleType
from typing import Protocol

from app.core.cold_start import load_on_first_use

DOMAINS: tuple[str, ...] = (
    "books",
    "reviews",
)

DOMAINS_PACKAGE = "app.domains"


def domain_modules(part: str) -> list[ModuleType]:
    """Each registered domain's module `part` (e.g. "routes"), imported, in registry
    order; a domain without that module is left out."""
    names = (f"{DOMAINS_PACKAGE}.{domain}.{part}" for domain in DOMAINS)
    return [load_on_first_use(name) for name in names if find_spec(name) is not None]


class Named(Protocol):
    @property
    def name(self) -> str: ...


def domain_members[T: Named](part: str, kind: type[T]) -> list[T]:
    """Every `kind` the domains' modules `part` define, e.g. the `QueueConsumer`s of their
    `consumers` modules; a name registered twice is refused (which one would run?)."""
    members = [
        value
        for module in domain_modules(part)
        for value in vars(module).values()
        if isinstance(value, kind)
    ]
    names = [member.name for member in members]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"registered twice in the domains' {part} modules: {', '.join(repeated)}")
    return members
