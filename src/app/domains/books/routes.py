"""Book routes: HTTP in and out only (status, ETag, Location); the rules live in `services`."""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from app.domains.books.errors import BookInternalCode
from app.domains.books.schema import (
    BookCreate,
    BookImport,
    BookImportQueued,
    BookListQuery,
    BookPatch,
    BookPublic,
    BookReplace,
)
from app.http.asgi import location_of
from app.http.auth.route import requires
from app.http.dependencies import lazy_service
from app.http.envelope import EnvelopeResponse, envelope_response
from app.http.errors.codes import CommonInternalCode
from app.http.etags import MALFORMED_IF_MATCH, IfMatchDep, version_etag
from app.http.idempotency.route import IDEMPOTENT
from app.http.openapi import openapi_error, openapi_header, openapi_links
from app.http.pagination import Page
from app.http.path_params import param_except
from app.http.read_cache import X_CACHE_HEADER

if TYPE_CHECKING:
    from app.domains.books.services import BookService

router = APIRouter(prefix="/books", tags=["books"])
READ, WRITE = requires("books:read"), requires("books:write")
# /books/imports is its own path: "imports" is never taken for a book id.
BOOK_PATH = "/" + param_except("book_id", "imports")

BookServiceDep = Annotated[
    "BookService", Depends(lazy_service(f"{__package__}.services", "BookService"))
]

_WITH_ETAG = {"ETag": openapi_header('The book\'s version, e.g. "3"')}
_NOT_FOUND = openapi_error(BookInternalCode.BOOK_NOT_FOUND)
_DUPLICATE_ISBN = openapi_error(BookInternalCode.BOOK_ALREADY_EXISTS)
_STALE = openapi_error(BookInternalCode.BOOK_VERSION_MISMATCH)
_WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: MALFORMED_IF_MATCH,
    404: _NOT_FOUND,
    409: _DUPLICATE_ISBN,
    412: _STALE,
}


def _book_response(
    book: BookPublic, *, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    etag = {"ETag": version_etag(book.version)}
    return envelope_response(book, status_code=status_code, headers={**etag, **(headers or {})})


@router.get(
    "",
    dependencies=[READ],
    response_model=EnvelopeResponse[Page[BookPublic]],
    summary="List books",
)
async def list_books(query: Annotated[BookListQuery, Query()], service: BookServiceDep) -> Response:
    return envelope_response(await service.list(query))


@router.post(
    "",
    status_code=201,
    dependencies=[WRITE, IDEMPOTENT],
    response_model=EnvelopeResponse[BookPublic],
    responses={
        201: {
            "description": "Book created",
            "headers": {**_WITH_ETAG, "Location": openapi_header("Path of the new book")},
            "links": openapi_links(
                "book_id", "get_book", "replace_book", "patch_book", "delete_book"
            ),
        },
        409: _DUPLICATE_ISBN,
    },
    summary="Create a book",
)
async def create_book(request: Request, data: BookCreate, service: BookServiceDep) -> Response:
    book = await service.create(data)
    location = location_of(request, "get_book", book_id=book.id)
    return _book_response(book, status_code=201, headers={"Location": location})


@router.post(
    "/imports",
    status_code=202,
    dependencies=[WRITE, IDEMPOTENT],
    response_model=EnvelopeResponse[BookImportQueued],
    responses={
        202: {"description": "Every book queued; each is created when its message is consumed"},
        503: openapi_error(CommonInternalCode.QUEUE_UNAVAILABLE, Retry_After="Seconds"),
    },
    summary="Import books in the background (one queue message per book)",
)
async def import_books(data: BookImport, service: BookServiceDep) -> Response:
    queued = await service.queue_import(data.books)
    return envelope_response(BookImportQueued(queued=queued), status_code=202)


@router.get(
    BOOK_PATH,
    dependencies=[READ],
    response_model=EnvelopeResponse[BookPublic],
    responses={200: {"headers": {**_WITH_ETAG, **X_CACHE_HEADER}}, 404: _NOT_FOUND},
    summary="Get a book",
)
async def get_book(book_id: UUID, service: BookServiceDep) -> Response:
    book, cached = await service.get_cached(book_id)
    return _book_response(book, headers={"X-Cache": "HIT" if cached else "MISS"})


@router.put(
    BOOK_PATH,
    dependencies=[WRITE],
    response_model=EnvelopeResponse[BookPublic],
    responses={200: {"headers": _WITH_ETAG}, **_WRITE_ERRORS},
    summary="Replace a book",
)
async def replace_book(
    book_id: UUID, data: BookReplace, if_match: IfMatchDep, service: BookServiceDep
) -> Response:
    return _book_response(await service.replace(book_id, data, if_match))


@router.patch(
    BOOK_PATH,
    dependencies=[WRITE],
    response_model=EnvelopeResponse[BookPublic],
    responses={200: {"headers": _WITH_ETAG}, **_WRITE_ERRORS},
    summary="Change some fields of a book",
)
async def patch_book(
    book_id: UUID, data: BookPatch, if_match: IfMatchDep, service: BookServiceDep
) -> Response:
    return _book_response(await service.patch(book_id, data, if_match))


@router.delete(
    BOOK_PATH,
    status_code=204,
    dependencies=[WRITE],
    response_class=Response,
    responses={
        204: {"description": "Book deleted"},
        400: MALFORMED_IF_MATCH,
        404: _NOT_FOUND,
        412: _STALE,
    },
    summary="Delete a book (soft: it disappears from the API, the row stays)",
)
async def delete_book(book_id: UUID, if_match: IfMatchDep, service: BookServiceDep) -> Response:
    await service.delete(book_id, if_match)
    return Response(status_code=204)
