"""Internal codes: unique, each domain inside its own block, and the docs table up to date."""

from app.http.errors.codes import CommonInternalCode, InternalCodeBase
from scripts.error_codes import DOCS, RESERVED_BLOCKS, code_families, render


def _all_codes() -> list[InternalCodeBase]:
    return [member for family in code_families() for member in family]


def test_codes_are_unique() -> None:
    codes = [member.code for member in _all_codes()]
    assert len(codes) == len(set(codes))


def test_each_domain_keeps_to_one_block_of_its_own() -> None:
    owners: dict[int, str] = {}
    for family in code_families():
        if family is CommonInternalCode:
            continue
        blocks = {member.code // 1000 for member in family}
        assert len(blocks) == 1, family
        (block,) = blocks
        assert block not in RESERVED_BLOCKS, family
        assert owners.setdefault(block, family.__name__) == family.__name__, family


def test_every_code_has_a_status_but_the_framework_passthrough() -> None:
    unset = [member for member in _all_codes() if member.status is None]
    assert unset == [CommonInternalCode.HTTP_ERROR]


def test_the_docs_table_is_generated_from_the_code() -> None:
    assert DOCS.read_text() == render()
    for member in _all_codes():
        assert f"| {member.code} | {member.name} |" in render()


def test_required_codes_keep_their_numbers() -> None:
    by_name = {member.name: member.code for member in _all_codes()}
    assert by_name["UNKNOWN"] == 100
    assert by_name["PYDANTIC_VALIDATIONS_REQUEST"] == 8001
    assert by_name["BOOK_NOT_FOUND"] == 1001
    assert by_name["BOOK_ALREADY_EXISTS"] == 1002
    assert by_name["BOOK_VERSION_MISMATCH"] == 1003
    assert by_name["REVIEW_NOT_FOUND"] == 2001
