"""PUT, PATCH and DELETE /v1/books/{id}: versions, ETags and If-Match preconditions."""

from datetime import datetime
from typing import Any
from uuid import uuid4

import httpx
import pytest

from tests.domains.books.factories import an_isbn, book_payload, create_book
from tests.support.envelope import assert_envelope


def path(book: dict[str, Any]) -> str:
    return f"/v1/books/{book['id']}"


async def test_patch_with_current_version_then_stale_version(client: httpx.AsyncClient) -> None:
    book = await create_book(client, year=1965)

    first = await client.patch(path(book), json={"year": 1966}, headers={"If-Match": '"1"'})
    updated = assert_envelope(first, 200)
    assert (updated["year"], updated["version"], first.headers["etag"]) == (1966, 2, '"2"')
    assert datetime.fromisoformat(updated["updated_at"]) > datetime.fromisoformat(
        book["updated_at"]
    )
    assert updated["title"] == book["title"]

    stale = await client.patch(path(book), json={"year": 1967}, headers={"If-Match": '"1"'})
    assert_envelope(stale, 412, code=1003)
    assert assert_envelope(await client.get(path(book)), 200)["year"] == 1966


async def test_a_version_never_issued_is_412(client: httpx.AsyncClient) -> None:
    book = await create_book(client)
    never = '"999999999999999999"'  # the longest If-Match accepts, beyond any 32-bit integer

    response = await client.patch(path(book), json={"year": 2000}, headers={"If-Match": never})

    assert_envelope(response, 412, code=1003)


@pytest.mark.parametrize("if_match", [None, "*", 'W/"1"', '"7", "1"'])
async def test_if_match_that_accepts_the_current_version(
    client: httpx.AsyncClient, if_match: str | None
) -> None:
    book = await create_book(client)
    headers = {"If-Match": if_match} if if_match else {}

    response = await client.patch(path(book), json={"title": "Renamed"}, headers=headers)

    assert assert_envelope(response, 200)["version"] == 2


@pytest.mark.parametrize("if_match", ["1", '"one"', "", '"1",', 'W/"1" *', '"1234567890123456789"'])
async def test_malformed_if_match_is_400(client: httpx.AsyncClient, if_match: str) -> None:
    book = await create_book(client)

    response = await client.patch(path(book), json={"title": "x"}, headers={"If-Match": if_match})

    assert_envelope(response, 400, code=8009)
    assert assert_envelope(await client.get(path(book)), 200)["version"] == 1


async def test_put_replaces_every_field(client: httpx.AsyncClient) -> None:
    book = await create_book(client, isbn=an_isbn())
    replacement = book_payload(title="Replaced", type="online")
    del replacement["isbn"]

    response = await client.put(path(book), json=replacement, headers={"If-Match": '"1"'})

    replaced = assert_envelope(response, 200)
    assert {key: replaced[key] for key in replacement} == replacement
    assert (replaced["isbn"], replaced["version"]) == (None, 2)
    assert (replaced["id"], replaced["created_at"]) == (book["id"], book["created_at"])
    stale = await client.put(path(book), json=replacement, headers={"If-Match": '"1"'})
    assert_envelope(stale, 412, code=1003)


async def test_patch_body_rules(client: httpx.AsyncClient) -> None:
    book = await create_book(client)

    assert_envelope(await client.patch(path(book), json={}), 422, code=8001)
    null_title = assert_envelope(await client.patch(path(book), json={"title": None}), 422)
    assert [error["field"] for error in null_title["errors"]] == ["body.title"]
    assert_envelope(await client.patch(path(book), json={"pages": 3}), 422, code=8001)

    cleared = assert_envelope(await client.patch(path(book), json={"isbn": None}), 200)
    assert (cleared["isbn"], cleared["version"]) == (None, 2)


async def test_changing_to_a_taken_isbn_is_409(client: httpx.AsyncClient) -> None:
    holder = await create_book(client)
    book = await create_book(client)

    response = await client.patch(path(book), json={"isbn": holder["isbn"]})

    assert_envelope(response, 409, code=1002)
    assert assert_envelope(await client.get(path(book)), 200)["version"] == 1


async def test_delete_is_soft_and_honours_if_match(client: httpx.AsyncClient) -> None:
    book = await create_book(client)
    assert_envelope(await client.delete(path(book), headers={"If-Match": '"2"'}), 412, code=1003)

    deleted = await client.delete(path(book), headers={"If-Match": '"1"'})

    assert (deleted.status_code, deleted.content) == (204, b"")
    assert_envelope(await client.get(path(book)), 404, code=1001)
    assert_envelope(await client.delete(path(book)), 404, code=1001)
    assert_envelope(await client.patch(path(book), json={"year": 2000}), 404, code=1001)


async def test_writes_to_unknown_books_are_404(client: httpx.AsyncClient) -> None:
    unknown = f"/v1/books/{uuid4()}"

    assert_envelope(await client.put(unknown, json=book_payload()), 404, code=1001)
    assert_envelope(await client.patch(unknown, json={"year": 2000}), 404, code=1001)
    assert_envelope(await client.delete(unknown, headers={"If-Match": '"1"'}), 404, code=1001)
