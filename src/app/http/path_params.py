"""Path parameters that leave the literal segments of sibling routes alone."""

import re

from starlette.convertors import Convertor, register_url_convertor


class _Segment(Convertor[str]):
    """One path segment, as Starlette's default `str` parameter; `regex` set per use."""

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


def param_except(name: str, *literals: str) -> str:
    """`{name}` for a route's path, which never takes one of `literals`. The route on
    `/books/imports` is then the only one on its path, so `PUT /books/imports` is a 405 naming
    POST, not `PUT /books/{book_id}` with "imports" for an id (a 422). Any other value, a
    malformed id included, still reaches the route and its validation."""
    key = "except_" + "_".join(re.sub(r"\W", "_", literal) for literal in literals)
    excluded = "|".join(re.escape(literal) for literal in literals)
    # The regex sits inside Starlette's whole-path pattern: the look-ahead refuses the
    # literals as a whole segment only ("importsX" is still a value).
    segment = type(key, (_Segment,), {"regex": rf"(?!(?:{excluded})(?:/|$))[^/]+"})
    register_url_convertor(key, segment())
    return f"{{{name}:{key}}}"
