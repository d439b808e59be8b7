"""GET /v1/books: filters, sorting, pagination and the list envelope."""

from typing import Any

import httpx
import pytest

from tests.domains.books.factories import an_author, create_book
from tests.support.envelope import assert_envelope


async def list_books(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    page: dict[str, Any] = assert_envelope(await client.get("/v1/books", params=params), 200)
    return page


def titles(page: dict[str, Any]) -> list[str]:
    return [book["title"] for book in page["items"]]


async def test_page_of_an_authors_books_by_year_descending(client: httpx.AsyncClient) -> None:
    # Given three books by one author and one by someone else
    author = an_author()
    for year in (1965, 1969, 1976):
        await create_book(client, author=author, title=f"Book of {year}", year=year)
    await create_book(client, year=2000)

    page = await list_books(client, limit=2, offset=0, sort="-year", author=author)

    assert titles(page) == ["Book of 1976", "Book of 1969"]
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 0)
    rest = await list_books(client, limit=2, offset=2, sort="-year", author=author)
    assert titles(rest) == ["Book of 1965"]


async def test_author_filter_is_exact_and_case_insensitive(client: httpx.AsyncClient) -> None:
    author = an_author()
    await create_book(client, author=author)
    await create_book(client, author=f"{author} Jr.")

    page = await list_books(client, author=author.upper())

    assert [book["author"] for book in page["items"]] == [author]


async def test_title_search_is_case_insensitive_and_literal(client: httpx.AsyncClient) -> None:
    author = an_author()
    for title in ("The 100% Solution", "The 1000 Solutions", "the_sea", "theXsea"):
        await create_book(client, author=author, title=title)

    assert titles(await list_books(client, author=author, q="100%")) == ["The 100% Solution"]
    assert titles(await list_books(client, author=author, q="E_S")) == ["the_sea"]
    assert (await list_books(client, author=author, q="SOLUTION"))["total"] == 2


async def test_type_and_year_range_filters(client: httpx.AsyncClient) -> None:
    author = an_author()
    await create_book(client, author=author, title="old", year=1950, type="online")
    await create_book(client, author=author, title="mid", year=1980, type="online")
    await create_book(client, author=author, title="new", year=2010, type="physical")

    in_range = await list_books(client, author=author, year_from=1960, year_to=2010, sort="year")
    assert titles(in_range) == ["mid", "new"]
    online = await list_books(client, author=author, type="online", sort="-title")
    assert titles(online) == ["old", "mid"]


async def test_default_order_is_newest_first(client: httpx.AsyncClient) -> None:
    author = an_author()
    for title in ("first", "second", "third"):
        await create_book(client, author=author, title=title)

    assert titles(await list_books(client, author=author)) == ["third", "second", "first"]


async def test_deleted_books_are_not_listed(client: httpx.AsyncClient) -> None:
    author = an_author()
    kept = await create_book(client, author=author)
    deleted = await create_book(client, author=author)
    assert (await client.delete(f"/v1/books/{deleted['id']}")).status_code == 204

    page = await list_books(client, author=author)

    assert [book["id"] for book in page["items"]] == [kept["id"]]
    assert page["total"] == 1


async def test_no_match_is_an_empty_list(client: httpx.AsyncClient) -> None:
    page = await list_books(client, author=an_author())

    assert page == {"items": [], "total": 0, "limit": 20, "offset": 0}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("limit", 1000),
        ("limit", 0),
        ("offset", -1),
        ("offset", 2**63),
        ("sort", "author"),
        ("type", "audio"),
        ("year_from", "soon"),
        ("year_from", 99_999_999_999),
        ("year_to", -10_000),
        ("q", ""),
        ("q", "nul\x00"),
        ("author", "nul\x00"),
        ("titel", "misspelt filter"),
    ],
)
async def test_bad_list_parameters_are_422(
    client: httpx.AsyncClient, name: str, value: str | int
) -> None:
    response = await client.get("/v1/books", params={name: value})

    details = assert_envelope(response, 422, code=8001)
    assert [error["field"] for error in details["errors"]] == [f"query.{name}"]
