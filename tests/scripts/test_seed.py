"""Sample data: every domain's, idempotent, served by the API, and refused where it must not go."""

import os
import subprocess
import sys
from pathlib import Path
from uuid import uuid4

import httpx
import pytest

from app.domains import domain_modules
from app.domains.books.sample_data import SAMPLE_BOOKS
from app.domains.reviews import sample_data as reviews_samples
from app.domains.reviews.models import ReviewDocument
from app.domains.reviews.sample_data import SAMPLE_REVIEWS
from scripts.seed import SeedRefusedError, seed_all
from tests.conftest import SettingsFactory
from tests.support.envelope import assert_envelope

ROOT = Path(__file__).parents[2]


def _seed_command(flags: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    """`scripts/seed.py` run as make runs it, with `env` over this environment."""
    return subprocess.run(
        [sys.executable, "scripts/seed.py", *flags],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.mongo
async def test_seeding_twice_adds_each_sample_once(
    settings_factory: SettingsFactory, client: httpx.AsyncClient
) -> None:
    # Given a local environment (the reviews collection starts empty in this test)
    settings = settings_factory(environment="local")

    first = (await seed_all(settings)).added
    second = (await seed_all(settings)).added

    # Registry order (reviews need the books), every domain that has sample data
    seeded = [module.__name__.split(".")[-2] for module in domain_modules("sample_data")]
    assert list(first) == seeded
    assert seeded.index("books") < seeded.index("reviews")
    assert first["reviews"] == len(SAMPLE_REVIEWS)
    assert second == dict.fromkeys(seeded, 0)
    for book_id in SAMPLE_BOOKS:
        assert_envelope(await client.get(f"/v1/books/{book_id}"), 200)
    dune = next(iter(SAMPLE_BOOKS))
    reviews = assert_envelope(await client.get(f"/v1/books/{dune}/reviews"), 200)
    assert reviews["total"] == sum(review.book_id == dune for review in SAMPLE_REVIEWS)


@pytest.mark.parametrize("environment", ["testing", "staging", "production"])
async def test_no_sample_data_outside_local_and_development(
    settings_factory: SettingsFactory, environment: str
) -> None:
    with pytest.raises(SeedRefusedError, match=environment):
        await seed_all(settings_factory(environment=environment))


@pytest.mark.parametrize(("flags", "exit_code"), [([], 1), (["--if-allowed"], 0)])
def test_the_command_refuses_production_with_a_clear_message(
    flags: list[str], exit_code: int
) -> None:
    # `make run` passes --if-allowed: a refusal is no reason not to serve
    result = _seed_command(flags, ENVIRONMENT="production", AUTH_ISSUER="https://issuer.example")
    assert result.returncode == exit_code
    assert "no sample data in ENVIRONMENT=production" in result.stderr


@pytest.mark.mongo
async def test_reviews_of_a_sample_book_that_is_gone_are_left_out(
    settings_factory: SettingsFactory, monkeypatch: pytest.MonkeyPatch, client: httpx.AsyncClient
) -> None:
    # Given a sample review of a book that does not exist (deleted, or never seeded)
    orphan = ReviewDocument(book_id=uuid4(), rating=1, body="Gone", reviewer="x")
    monkeypatch.setattr(reviews_samples, "SAMPLE_REVIEWS", (*SAMPLE_REVIEWS, orphan))

    await seed_all(settings_factory(environment="local"))

    assert_envelope(await client.get(f"/v1/reviews/{orphan.id}"), 404, code=2001)
    assert_envelope(await client.get(f"/v1/reviews/{SAMPLE_REVIEWS[0].id}"), 200)


@pytest.mark.parametrize(("flags", "exit_code"), [([], 1), (["--if-allowed"], 0)])
def test_a_domain_whose_store_is_not_configured_is_skipped(
    flags: list[str], exit_code: int
) -> None:
    # `make run STORES=postgresql,redis`: no MongoDB, so no sample reviews, but the books
    result = _seed_command(flags, ENVIRONMENT="local", MONGO_URL="", MONGO_URL_SECRET_ID="")
    assert result.returncode == exit_code, result.stderr
    assert "seed: sample data added: books +" in result.stderr
    assert "seed: reviews skipped, its store is unavailable: MONGO_URL" in result.stderr
