"""Value sets shared by the ORM models and the API schemas, free of SQLAlchemy.

The schemas load with the routes at import; the ORM (and SQLAlchemy) only on first use.
"""

from enum import StrEnum


class BookType(StrEnum):
    ONLINE = "online"
    PHYSICAL = "physical"
    BOTH = "both"
