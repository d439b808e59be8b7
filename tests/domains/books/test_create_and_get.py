"""POST /v1/books and GET /v1/books/{id}: status, headers, validation and ISBN uniqueness."""

from uuid import uuid4

import httpx
import pytest

from tests.conftest import AppFactory
from tests.domains.books.factories import an_isbn, an_isbn_10, book_payload, create_book
from tests.support.envelope import assert_envelope
from tests.support.http_shapes import ClientFor


async def test_create_answers_201_with_location_and_etag(client: httpx.AsyncClient) -> None:
    payload = book_payload(title="  Dune ", type="both")

    response = await client.post("/v1/books", json=payload)

    book = assert_envelope(response, 201)
    assert response.headers["location"] == f"/v1/books/{book['id']}"
    assert response.headers["etag"] == '"1"'
    assert book["title"] == "Dune"
    assert {key: book[key] for key in ("author", "year", "type", "isbn")} == {
        key: payload[key] for key in ("author", "year", "type", "isbn")
    }
    assert book["version"] == 1
    assert book["created_at"] == book["updated_at"]
    assert book["created_at"].endswith("Z")


async def test_get_answers_the_book_with_its_etag(client: httpx.AsyncClient) -> None:
    created = await create_book(client)

    response = await client.get(f"/v1/books/{created['id']}")

    assert assert_envelope(response, 200) == created
    assert response.headers["etag"] == '"1"'


async def test_location_carries_the_api_base_path(
    app_factory: AppFactory, client_for: ClientFor
) -> None:
    async with client_for(app_factory(api_base_path="/dev")) as client:
        response = await client.post("/dev/v1/books", json=book_payload())
        book = assert_envelope(response, 201)
        assert response.headers["location"] == f"/dev/v1/books/{book['id']}"
        assert_envelope(await client.get(response.headers["location"]), 200)


async def test_unknown_and_malformed_ids(client: httpx.AsyncClient) -> None:
    assert_envelope(await client.get(f"/v1/books/{uuid4()}"), 404, code=1001)
    details = assert_envelope(await client.get("/v1/books/not-a-uuid"), 422, code=8001)
    assert [error["field"] for error in details["errors"]] == ["path.book_id"]


async def test_a_json_integer_year_is_accepted(client: httpx.AsyncClient) -> None:
    book = assert_envelope(await client.post("/v1/books", json=book_payload(year=2001.0)), 201)
    assert book["year"] == 2001


async def test_unknown_fields_are_rejected(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/books", json=book_payload(publisher="Chilton"))

    details = assert_envelope(response, 422, code=8001)
    assert [error["field"] for error in details["errors"]] == ["body.publisher"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "   "),
        ("title", "x" * 256),
        ("author", ""),
        ("author", "nul\x00"),
        ("year", 9999),
        ("year", -10_000),
        ("type", "audio"),
        ("isbn", "978-0-306-40615-8"),  # wrong check digit
        ("isbn", "12345"),
        ("isbn", "".join(chr(0xFF10 + int(d)) for d in "9780306406157")),  # full-width digits
        ("year", "2001"),  # a JSON string is no integer
        ("year", 2001.5),
        ("year", True),
    ],
)
async def test_invalid_fields_are_named(
    client: httpx.AsyncClient, field: str, value: object
) -> None:
    response = await client.post("/v1/books", json=book_payload(**{field: value}))

    details = assert_envelope(response, 422, code=8001)
    assert [error["field"] for error in details["errors"]] == [f"body.{field}"]


async def test_missing_fields_and_a_missing_body_are_422(client: httpx.AsyncClient) -> None:
    details = assert_envelope(await client.post("/v1/books", json={"title": "T"}), 422, code=8001)
    assert {error["field"] for error in details["errors"]} == {
        "body.author",
        "body.year",
        "body.type",
    }
    assert_envelope(await client.post("/v1/books"), 422, code=8001)


async def test_isbn_10_is_stored_as_isbn_13(client: httpx.AsyncClient) -> None:
    isbn_10 = an_isbn_10()
    hyphenated = f"{isbn_10[0]}-{isbn_10[1:4]}-{isbn_10[4:9]}-{isbn_10[9]}"

    book = await create_book(client, isbn=hyphenated)

    assert book["isbn"].startswith("978" + isbn_10[:9])
    assert len(book["isbn"]) == 13


async def test_isbn_is_optional(client: httpx.AsyncClient) -> None:
    payload = book_payload()
    del payload["isbn"]

    assert assert_envelope(await client.post("/v1/books", json=payload), 201)["isbn"] is None


async def test_duplicate_isbn_is_409_until_the_holder_is_deleted(
    client: httpx.AsyncClient,
) -> None:
    isbn = an_isbn()
    holder = await create_book(client, isbn=isbn)

    duplicate = await client.post("/v1/books", json=book_payload(isbn=isbn))
    assert_envelope(duplicate, 409, code=1002)

    assert (await client.delete(f"/v1/books/{holder['id']}")).status_code == 204
    reused = await client.post("/v1/books", json=book_payload(isbn=isbn))
    assert assert_envelope(reused, 201)["isbn"] == isbn
