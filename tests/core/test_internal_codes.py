"""Internal codes are unique across the service and every one is documented."""

import re
from pathlib import Path

from app.core import internal_codes
from app.shared.base_internal_codes import CommonInternalCode, InternalCodeBase

DOCS = Path(__file__).parents[2] / "docs" / "error-codes.md"


def _all_codes() -> list[InternalCodeBase]:
    families: list[type[InternalCodeBase]] = [CommonInternalCode]
    families += [
        value
        for value in vars(internal_codes).values()
        if isinstance(value, type)
        and issubclass(value, InternalCodeBase)
        and value is not InternalCodeBase
    ]
    return [member for family in families for member in family]


def test_codes_are_unique() -> None:
    codes = [member.code for member in _all_codes()]
    assert len(codes) == len(set(codes))


def test_every_code_is_documented_with_its_name() -> None:
    documented = dict(re.findall(r"^\| (\d+) \| (\w+) \|", DOCS.read_text(), re.MULTILINE))
    for member in _all_codes():
        assert documented.get(str(member.code)) == member.name, member


def test_required_codes_keep_their_numbers() -> None:
    by_name = {member.name: member.code for member in _all_codes()}
    assert by_name["UNKNOWN"] == 100
    assert by_name["PYDANTIC_VALIDATIONS_REQUEST"] == 8001
    assert by_name["BOOK_NOT_FOUND"] == 1001
    assert by_name["BOOK_ALREADY_EXISTS"] == 1002
    assert by_name["BOOK_VERSION_MISMATCH"] == 1003
    assert by_name["REVIEW_NOT_FOUND"] == 2001
