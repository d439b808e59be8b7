"""Optimistic locking under real concurrency: the version check lives in the UPDATE itself."""

import asyncio
from collections import Counter

import httpx

from tests.domains.books.factories import create_book
from tests.support.envelope import assert_envelope

WRITERS = 20


async def test_concurrent_patches_with_one_if_match_let_exactly_one_win(
    client: httpx.AsyncClient,
) -> None:
    # Given a book at version 1
    book = await create_book(client)
    path = f"/v1/books/{book['id']}"

    # When twenty writers PATCH it at once, all believing it is still at version 1
    # (the server-sized pool lets several UPDATEs reach the row lock together)
    responses = await asyncio.gather(
        *(
            client.patch(path, json={"title": f"writer {n}"}, headers={"If-Match": '"1"'})
            for n in range(WRITERS)
        )
    )

    # Then exactly one wins and every other one is told the version moved on
    assert Counter(response.status_code for response in responses) == {200: 1, 412: WRITERS - 1}
    for response in responses:
        assert_envelope(response, response.status_code, code=None if response.is_success else 1003)
    winner = next(response for response in responses if response.status_code == 200)
    stored = assert_envelope(await client.get(path), 200)
    assert stored["version"] == 2
    assert stored["title"] == winner.json()["data"]["title"]
