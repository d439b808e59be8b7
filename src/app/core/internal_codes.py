"""Domain internal codes: books 1xxx, reviews 2xxx."""

from app.shared.base_internal_codes import InternalCodeBase


class BookInternalCode(InternalCodeBase):
    BOOK_API_ERROR = 1000, "Book API error"
    BOOK_NOT_FOUND = 1001, "Book not found"
    BOOK_ALREADY_EXISTS = 1002, "A book with this ISBN already exists"
    BOOK_VERSION_MISMATCH = 1003, "Book version does not match If-Match"


class ReviewInternalCode(InternalCodeBase):
    REVIEW_API_ERROR = 2000, "Review API error"
    REVIEW_NOT_FOUND = 2001, "Review not found"
