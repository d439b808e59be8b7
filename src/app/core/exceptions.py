"""Domain exceptions: one class per domain error, each bound to its internal code."""

from app.core.internal_codes import BookInternalCode, ReviewInternalCode
from app.shared.base_exceptions import ConflictError, NotFoundError, PreconditionFailedError


class BookNotFoundError(NotFoundError):
    default_code = BookInternalCode.BOOK_NOT_FOUND
    default_message = "Book not found"


class BookAlreadyExistsError(ConflictError):
    default_code = BookInternalCode.BOOK_ALREADY_EXISTS
    default_message = "A book with this ISBN already exists"


class BookVersionMismatchError(PreconditionFailedError):
    default_code = BookInternalCode.BOOK_VERSION_MISMATCH
    default_message = "The book was changed by someone else; fetch it again"


class ReviewNotFoundError(NotFoundError):
    default_code = ReviewInternalCode.REVIEW_NOT_FOUND
    default_message = "Review not found"
