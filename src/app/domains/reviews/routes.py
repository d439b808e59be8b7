"""Review routes: HTTP in and out only; the rules live in `services`."""

from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from app.domains.books.errors import BookInternalCode
from app.domains.reviews.errors import ReviewInternalCode
from app.domains.reviews.schema import (
    ReviewCreate,
    ReviewListQuery,
    ReviewPatch,
    ReviewPublic,
    ReviewSummary,
)
from app.http.asgi import location_of
from app.http.auth.route import requires
from app.http.dependencies import lazy_service
from app.http.envelope import EnvelopeResponse, envelope_response
from app.http.idempotency.route import IDEMPOTENT
from app.http.openapi import openapi_error, openapi_header, openapi_links
from app.http.pagination import Page

if TYPE_CHECKING:
    from app.domains.reviews.services import ReviewService

router = APIRouter(tags=["reviews"])
READ, WRITE = requires("reviews:read"), requires("reviews:write")

ReviewServiceDep = Annotated[
    "ReviewService", Depends(lazy_service(f"{__package__}.services", "ReviewService"))
]

_BOOK_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: openapi_error(BookInternalCode.BOOK_NOT_FOUND),
}
_REVIEW_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: openapi_error(ReviewInternalCode.REVIEW_NOT_FOUND),
}


@router.post(
    "/books/{book_id}/reviews",
    status_code=201,
    dependencies=[WRITE, IDEMPOTENT],
    response_model=EnvelopeResponse[ReviewPublic],
    responses={
        201: {
            "description": "Review created",
            "headers": {"Location": openapi_header("Path of the new review")},
            "links": openapi_links("review_id", "get_review", "update_review", "delete_review"),
        },
        **_BOOK_NOT_FOUND,
    },
    summary="Review a book",
)
async def create_review(
    request: Request, book_id: UUID, data: ReviewCreate, service: ReviewServiceDep
) -> Response:
    review = await service.create(book_id, data)
    location = location_of(request, "get_review", review_id=review.id)
    return envelope_response(review, status_code=201, headers={"Location": location})


@router.get(
    "/books/{book_id}/reviews",
    dependencies=[READ],
    response_model=EnvelopeResponse[Page[ReviewPublic]],
    responses=_BOOK_NOT_FOUND,
    summary="List a book's reviews, newest first",
)
async def list_reviews(
    book_id: UUID, query: Annotated[ReviewListQuery, Query()], service: ReviewServiceDep
) -> Response:
    return envelope_response(await service.list_for_book(book_id, query))


@router.get(
    "/books/{book_id}/reviews/summary",
    dependencies=[READ],
    response_model=EnvelopeResponse[ReviewSummary],
    responses=_BOOK_NOT_FOUND,
    summary="Rating count, average and histogram of a book",
)
async def summarize_reviews(book_id: UUID, service: ReviewServiceDep) -> Response:
    return envelope_response(await service.summarize(book_id))


@router.get(
    "/reviews/{review_id}",
    dependencies=[READ],
    response_model=EnvelopeResponse[ReviewPublic],
    responses=_REVIEW_NOT_FOUND,
    summary="Get a review",
)
async def get_review(review_id: UUID, service: ReviewServiceDep) -> Response:
    return envelope_response(await service.get(review_id))


@router.patch(
    "/reviews/{review_id}",
    dependencies=[WRITE],
    response_model=EnvelopeResponse[ReviewPublic],
    responses=_REVIEW_NOT_FOUND,
    summary="Change some fields of a review",
)
async def update_review(review_id: UUID, data: ReviewPatch, service: ReviewServiceDep) -> Response:
    return envelope_response(await service.update(review_id, data))


@router.delete(
    "/reviews/{review_id}",
    status_code=204,
    dependencies=[WRITE],
    response_class=Response,
    responses={204: {"description": "Review deleted"}, **_REVIEW_NOT_FOUND},
    summary="Delete a review",
)
async def delete_review(review_id: UUID, service: ReviewServiceDep) -> Response:
    await service.delete(review_id)
    return Response(status_code=204)
