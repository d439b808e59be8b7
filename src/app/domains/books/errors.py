"""Books' internal codes (the 1xxx block) and the exceptions its service raises."""

from app.http.errors.codes import InternalCodeBase
from app.http.errors.exceptions import BaseApiRestException


class BookInternalCode(InternalCodeBase):
    BOOK_API_ERROR = (
        1000,
        400,
        "Book API error",
        "not raised by the example routes: `BookError` itself, for a books rule no other "
        "code covers (the base of the errors below)",
    )
    BOOK_NOT_FOUND = 1001, 404, "Book not found", "the book does not exist or is soft-deleted"
    BOOK_ALREADY_EXISTS = (
        1002,
        409,
        "A book with this ISBN already exists",
        "another book has this ISBN",
    )
    BOOK_VERSION_MISMATCH = (
        1003,
        412,
        "Book version does not match If-Match",
        "`If-Match` does not match the book's current version",
    )


class BookError(BaseApiRestException):
    default_code = BookInternalCode.BOOK_API_ERROR


class BookNotFoundError(BookError):
    default_code = BookInternalCode.BOOK_NOT_FOUND


class BookAlreadyExistsError(BookError):
    default_code = BookInternalCode.BOOK_ALREADY_EXISTS


class BookVersionMismatchError(BookError):
    default_code = BookInternalCode.BOOK_VERSION_MISMATCH
    default_message = "The book was changed by someone else; fetch it again"
