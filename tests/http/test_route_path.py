"""The whole-segment prefix rule shared by the base path, the rate limit and the OpenAPI notes."""

import pytest

from app.http.asgi import route_path, under_prefix


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/v1", True), ("/v1/books", True), ("/v10/books", False), ("/v", False), ("/", False)],
)
def test_a_prefix_holds_whole_segments_only(path: str, expected: bool) -> None:
    assert under_prefix(path, "/v1") is expected


@pytest.mark.parametrize(
    ("path", "root_path", "expected"),
    [
        ("/dev/health", "/dev", "/health"),
        ("/dev", "/dev", "/"),
        ("/devices", "/dev", "/devices"),  # not under the base path: routed as it came
        ("/health", "/dev", "/health"),  # REST events keep the stage out of the path
        ("/health", "", "/health"),
    ],
)
def test_route_path_drops_the_base_path_by_whole_segment(
    path: str, root_path: str, expected: str
) -> None:
    assert route_path({"path": path, "root_path": root_path}) == expected
