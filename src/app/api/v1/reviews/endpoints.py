"""Review routes: HTTP in and out only; the rules live in `services`."""

from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from app.api.dependencies import SettingsDep
from app.api.v1.reviews.schema import (
    ReviewCreate,
    ReviewListQuery,
    ReviewPatch,
    ReviewPublic,
    ReviewSummary,
)
from app.shared.base_responses import EnvelopeResponse, envelope_response
from app.shared.cold_start import load_on_first_use
from app.shared.openapi import openapi_error, openapi_header
from app.shared.pagination import Page

if TYPE_CHECKING:
    from app.api.v1.reviews.services import ReviewService

router = APIRouter(tags=["reviews"])


async def _review_service(settings: SettingsDep) -> "ReviewService":
    # Loaded on first use, as the books service is: it asks books (and so SQLAlchemy)
    # whether a book exists.
    services = load_on_first_use("app.api.v1.reviews.services")
    service: ReviewService = await services.ReviewService.for_settings(settings)
    return service


ReviewServiceDep = Annotated["ReviewService", Depends(_review_service)]

_BOOK_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: openapi_error("Book not found or deleted (1001)"),
}
_REVIEW_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: openapi_error("Review not found (2001)"),
}
_CREATED_HEADERS = {"Location": openapi_header("Path of the new review")}


@router.post(
    "/books/{book_id}/reviews",
    status_code=201,
    response_model=EnvelopeResponse[ReviewPublic],
    responses={
        201: {"description": "Review created", "headers": _CREATED_HEADERS},
        **_BOOK_NOT_FOUND,
    },
    summary="Review a book",
)
async def create_review(
    request: Request, book_id: UUID, payload: ReviewCreate, service: ReviewServiceDep
) -> Response:
    review = await service.create(book_id, payload)
    path = request.app.url_path_for("get_review", review_id=str(review.id))
    location = f"{request.scope.get('root_path', '')}{path}"
    return envelope_response(review, status_code=201, headers={"Location": location})


@router.get(
    "/books/{book_id}/reviews",
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
    response_model=EnvelopeResponse[ReviewSummary],
    responses=_BOOK_NOT_FOUND,
    summary="Rating count, average and histogram of a book",
)
async def summarize_reviews(book_id: UUID, service: ReviewServiceDep) -> Response:
    return envelope_response(await service.summarize(book_id))


@router.get(
    "/reviews/{review_id}",
    response_model=EnvelopeResponse[ReviewPublic],
    responses=_REVIEW_NOT_FOUND,
    summary="Get a review",
)
async def get_review(review_id: UUID, service: ReviewServiceDep) -> Response:
    return envelope_response(await service.get(review_id))


@router.patch(
    "/reviews/{review_id}",
    response_model=EnvelopeResponse[ReviewPublic],
    responses=_REVIEW_NOT_FOUND,
    summary="Change some fields of a review",
)
async def update_review(review_id: UUID, patch: ReviewPatch, service: ReviewServiceDep) -> Response:
    return envelope_response(await service.update(review_id, patch))


@router.delete(
    "/reviews/{review_id}",
    status_code=204,
    response_class=Response,
    responses={
        204: {"description": "Review deleted"},
        **_REVIEW_NOT_FOUND,
    },
    summary="Delete a review",
)
async def delete_review(review_id: UUID, service: ReviewServiceDep) -> Response:
    await service.delete(review_id)
    return Response(status_code=204)
