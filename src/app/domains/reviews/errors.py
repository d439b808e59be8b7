"""Reviews' internal codes (the 2xxx block) and the exceptions its service raises."""

from app.http.errors.codes import InternalCodeBase
from app.http.errors.exceptions import BaseApiRestException


class ReviewInternalCode(InternalCodeBase):
    REVIEW_API_ERROR = (
        2000,
        400,
        "Review API error",
        "not raised by the example routes: `ReviewError` itself, for a reviews rule no other "
        "code covers (the base of the errors below)",
    )
    REVIEW_NOT_FOUND = 2001, 404, "Review not found", "the review does not exist"


class ReviewError(BaseApiRestException):
    default_code = ReviewInternalCode.REVIEW_API_ERROR


class ReviewNotFoundError(ReviewError):
    default_code = ReviewInternalCode.REVIEW_NOT_FOUND
