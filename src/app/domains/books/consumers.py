"""Books' queue consumers: `books-import` creates the book each message describes."""

from loguru import logger

from app.background.queues import QueueRecord, consumer
from app.core.settings import Settings
from app.domains.books.schema import BookCreate
from app.domains.books.services import IMPORT_QUEUE, BookService


@consumer(IMPORT_QUEUE)
async def import_book(record: QueueRecord, settings: Settings) -> None:
    """The body is POST /v1/books' body, validated the same way (an invalid one fails the
    record). The book's id comes from the message: a redelivery creates nothing more."""
    data = BookCreate.model_validate_json(record.body)
    created = await BookService(settings).create_once(record.effect_id, data)
    done = "Imported book" if created else "Already imported: book"
    logger.info("{} {} (message {})", done, record.effect_id, record.message_id)
