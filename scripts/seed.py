"""Sample data for local work: each registered domain's `sample_data.seed`, in registry order.

`make run` runs it before serving and `make seed` on demand. Idempotent (fixed ids), and
refused outside `local` and `development`: tests build their own data, and production and
staging hold real data.
"""

import argparse
import asyncio
import sys
from dataclasses import dataclass, field

from app.core.settings import Settings, get_settings
from app.core.stores import StoreUnavailableError
from app.db import close_clients
from app.domains import domain_modules

SEEDED_ENVIRONMENTS = ("local", "development")


class SeedRefusedError(RuntimeError):
    """Sample data was asked for in an environment that must not get any."""


@dataclass
class Seeded:
    added: dict[str, int] = field(default_factory=dict)  # rows added per domain
    # domains whose store is not configured or not reachable (make run STORES=postgresql)
    skipped: dict[str, str] = field(default_factory=dict)


async def seed_all(settings: Settings) -> Seeded:
    """Seed every domain that has sample data: how many rows each added, which were skipped."""
    if settings.environment not in SEEDED_ENVIRONMENTS:
        raise SeedRefusedError(
            f"no sample data in ENVIRONMENT={settings.environment}: only in "
            + " or ".join(SEEDED_ENVIRONMENTS)
        )
    seeded = Seeded()
    for sample_data in domain_modules("sample_data"):
        domain = sample_data.__name__.split(".")[-2]
        try:
            seeded.added[domain] = await sample_data.seed(settings)
        except StoreUnavailableError as unavailable:
            seeded.skipped[domain] = str(unavailable)
    return seeded


async def _seed_and_close() -> Seeded:
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
        seeded = asyncio.run(_seed_and_close())
    except SeedRefusedError as refused:
        print(f"seed: {refused}", file=sys.stderr)
        return 0 if args.if_allowed else 1
    summary = ", ".join(f"{domain} +{count}" for domain, count in seeded.added.items())
    print(f"seed: sample data added: {summary or 'no domain has any'}", file=sys.stderr)
    for domain, reason in seeded.skipped.items():
        print(f"seed: {domain} skipped, its store is unavailable: {reason}", file=sys.stderr)
    return 1 if seeded.skipped and not args.if_allowed else 0


if __name__ == "__main__":
    sys.exit(main())
