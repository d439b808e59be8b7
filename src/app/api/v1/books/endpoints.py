"""Book routes: HTTP in and out only (status, ETag, Location); the rules live in `services`."""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from app.api.dependencies import SettingsDep
from app.api.v1.books.schema import BookCreate, BookListQuery, BookPatch, BookPublic, BookReplace
from app.shared.base_responses import EnvelopeResponse, envelope_response
from app.shared.cold_start import load_on_first_use
from app.shared.etags import IfMatchDep, version_etag
from app.shared.openapi import openapi_error, openapi_header
from app.shared.pagination import Page, PageParamsDep

if TYPE_CHECKING:
    from app.api.v1.books.services import BookService

router = APIRouter(prefix="/books", tags=["books"])


async def _book_service(settings: SettingsDep) -> "BookService":
    # The service, and with it SQLAlchemy, loads on the first books request rather than at
    # import: SQLAlchemy is a third of the Lambda init, which /health never needs.
    services = load_on_first_use("app.api.v1.books.services")
    service: BookService = services.BookService(settings)
    return service


BookServiceDep = Annotated["BookService", Depends(_book_service)]


_WITH_ETAG = {"ETag": openapi_header('The book\'s version, e.g. "3"')}
_CREATED = {**_WITH_ETAG, "Location": openapi_header("Path of the new book")}
_CACHED = {
    **_WITH_ETAG,
    "X-Cache": openapi_header("HIT when served from the read cache, else MISS"),
}
_NOT_FOUND = openapi_error("Book not found or deleted (1001)")
_DUPLICATE_ISBN = openapi_error("Another book has this ISBN (1002)")
_BAD_IF_MATCH = openapi_error('Malformed If-Match: not "<version>", W/"<version>" or * (8009)')
_STALE = openapi_error("If-Match does not name the current version (1003)")
_WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _BAD_IF_MATCH,
    404: _NOT_FOUND,
    409: _DUPLICATE_ISBN,
    412: _STALE,
}


def _book_response(
    book: BookPublic, *, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    etag = {"ETag": version_etag(book.version)}
    return envelope_response(book, status_code=status_code, headers={**etag, **(headers or {})})


@router.get("", response_model=EnvelopeResponse[Page[BookPublic]], summary="List books")
async def list_books(
    query: Annotated[BookListQuery, Query()], page: PageParamsDep, service: BookServiceDep
) -> Response:
    return envelope_response(await service.list(query, page))


@router.post(
    "",
    status_code=201,
    response_model=EnvelopeResponse[BookPublic],
    responses={201: {"description": "Book created", "headers": _CREATED}, 409: _DUPLICATE_ISBN},
    summary="Create a book",
)
async def create_book(request: Request, data: BookCreate, service: BookServiceDep) -> Response:
    book = await service.create(data)
    path = request.app.url_path_for("get_book", book_id=str(book.id))
    location = f"{request.scope.get('root_path', '')}{path}"
    return _book_response(book, status_code=201, headers={"Location": location})


@router.get(
    "/{book_id}",
    response_model=EnvelopeResponse[BookPublic],
    responses={200: {"headers": _CACHED}, 404: _NOT_FOUND},
    summary="Get a book",
)
async def get_book(book_id: UUID, service: BookServiceDep) -> Response:
    book, cached = await service.get_cached(book_id)
    return _book_response(book, headers={"X-Cache": "HIT" if cached else "MISS"})


@router.put(
    "/{book_id}",
    response_model=EnvelopeResponse[BookPublic],
    responses={200: {"headers": _WITH_ETAG}, **_WRITE_ERRORS},
    summary="Replace a book",
)
async def replace_book(
    book_id: UUID, data: BookReplace, if_match: IfMatchDep, service: BookServiceDep
) -> Response:
    return _book_response(await service.replace(book_id, data, if_match))


@router.patch(
    "/{book_id}",
    response_model=EnvelopeResponse[BookPublic],
    responses={200: {"headers": _WITH_ETAG}, **_WRITE_ERRORS},
    summary="Change some fields of a book",
)
async def patch_book(
    book_id: UUID, data: BookPatch, if_match: IfMatchDep, service: BookServiceDep
) -> Response:
    return _book_response(await service.patch(book_id, data, if_match))


@router.delete(
    "/{book_id}",
    status_code=204,
    response_class=Response,
    responses={
        204: {"description": "Book deleted"},
        400: _BAD_IF_MATCH,
        404: _NOT_FOUND,
        412: _STALE,
    },
    summary="Delete a book (soft: it disappears from the API, the row stays)",
)
async def delete_book(book_id: UUID, if_match: IfMatchDep, service: BookServiceDep) -> Response:
    await service.delete(book_id, if_match)
    return Response(status_code=204)
