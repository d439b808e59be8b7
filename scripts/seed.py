"""Sample data for local work: each registered domain's `sample_data.seed`, in registry order.

`make run` runs it before serving and `make seed` on demand. Idempotent (fixed ids), and
refused outside `local` and `development`: tests build their own data, and production and
staging hold real data.
"""

import argparse
import asyncio
import sys

from app.core.settings import Settings, get_settings
from app.db import close_clients
from app.domains import domain_modules

SEEDED_ENVIRONMENTS = ("local", "development")


class SeedRefusedError(RuntimeError):
    """Sample data was asked for in an environment that must not get any."""


async def seed_all(settings: Settings) -> dict[str, int]:
    """Seed every domain that has sample data; returns how many rows each one added."""
    if settings.environment not in SEEDED_ENVIRONMENTS:
        raise SeedRefusedError(
            f"no sample data in ENVIRONMENT={settings.environment}: only in "
            + " or ".join(SEEDED_ENVIRONMENTS)
        )
    added: dict[str, int] = {}
    for sample_data in domain_modules("sample_data"):
        domain = sample_data.__name__.split(".")[-2]
        added[domain] = await sample_data.seed(settings)
    return added


async def _seed_and_close() -> dict[str, int]:
    try:
        return await seed_all(get_settings())
    finally:
        await close_clients()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--if-allowed",
        action="store_true",
        help="where sample data is refused, say so and succeed (make run)",
    )
    args = parser.parse_args(argv)
    try:
        added = asyncio.run(_seed_and_close())
    except SeedRefusedError as refused:
        print(f"seed: {refused}", file=sys.stderr)
        return 0 if args.if_allowed else 1
    summary = ", ".join(f"{domain} +{count}" for domain, count in added.items())
    print(f"seed: sample data added: {summary or 'no domain has any'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
