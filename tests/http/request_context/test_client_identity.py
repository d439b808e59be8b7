"""Client identity: authenticated user, trusted proxy hop, Lambda source IP, then the peer."""

from collections.abc import Sequence

import pytest
from starlette.authentication import BaseUser, SimpleUser, UnauthenticatedUser
from starlette.types import Scope

from app.http.request_context.client_identity import UNKNOWN_CLIENT, client_identity
from tests.support.lambda_events import Event, Shape, build_event


def _scope(
    *,
    forwarded_for: Sequence[str] = (),
    client: tuple[str, int] | None = ("10.0.0.9", 5000),
    aws_event: Event | None = None,
    user: BaseUser | None = None,
) -> Scope:
    scope: Scope = {"type": "http", "headers": [], "client": client, "user": user}
    scope["headers"] = [(b"x-forwarded-for", value.encode()) for value in forwarded_for]
    if aws_event is not None:
        scope["aws.event"] = aws_event
    return scope


def _event_from(shape: Shape, source_ip: str) -> Event:
    event = build_event(shape)
    section = "identity" if shape == "rest_v1" else "http"
    event["requestContext"][section]["sourceIp"] = source_ip
    return event


def test_the_peer_address_without_proxies() -> None:
    assert client_identity(_scope(), trusted_proxy_hops=0) == "ip:10.0.0.9"


@pytest.mark.parametrize("shape", ["rest_v1", "http_v2", "function_url"])
def test_lambda_events_give_the_api_gateway_source_ip(shape: Shape) -> None:
    scope = _scope(aws_event=_event_from(shape, "198.51.100.7"))
    assert client_identity(scope, trusted_proxy_hops=0) == "ip:198.51.100.7"


def test_forwarded_for_is_ignored_without_trusted_proxies() -> None:
    scope = _scope(forwarded_for=["1.1.1.1"])
    assert client_identity(scope, trusted_proxy_hops=0) == "ip:10.0.0.9"


def test_forwarded_for_takes_the_hop_the_outermost_trusted_proxy_saw() -> None:
    # The client wrote "6.6.6.6" itself; the two trusted proxies appended the rest.
    scope = _scope(forwarded_for=["6.6.6.6, 203.0.113.5", "172.16.0.1"])
    assert client_identity(scope, trusted_proxy_hops=1) == "ip:172.16.0.1"
    assert client_identity(scope, trusted_proxy_hops=2) == "ip:203.0.113.5"


def test_forwarded_for_wins_over_the_lambda_source_ip_when_proxies_are_trusted() -> None:
    scope = _scope(forwarded_for=["203.0.113.5"], aws_event=_event_from("http_v2", "1.2.3.4"))
    assert client_identity(scope, trusted_proxy_hops=1) == "ip:203.0.113.5"


def test_a_short_forwarded_for_chain_takes_its_first_entry() -> None:
    assert client_identity(_scope(forwarded_for=["203.0.113.5"]), 3) == "ip:203.0.113.5"


def test_garbage_addresses_are_not_identities() -> None:
    scope = _scope(forwarded_for=["not-an-ip"], client=None)
    assert client_identity(scope, trusted_proxy_hops=1) == UNKNOWN_CLIENT


def test_ipv6_addresses_are_normalised() -> None:
    scope = _scope(client=("2001:DB8:0:0::1", 1))
    assert client_identity(scope, trusted_proxy_hops=0) == "ip:2001:db8::1"


def test_an_authenticated_user_is_the_client_whatever_the_address() -> None:
    assert client_identity(_scope(user=SimpleUser("alice")), 0) == "user:alice"
    assert client_identity(_scope(user=UnauthenticatedUser()), 0) == "ip:10.0.0.9"


def test_alb_events_give_the_right_most_forwarded_entry() -> None:
    # Mangum hands over the whole X-Forwarded-For as the client address of an ALB event.
    forwarded = "6.6.6.6, 203.0.113.5, 198.51.100.7"
    scope = _scope(
        forwarded_for=[forwarded], client=(forwarded, 0), aws_event=build_event("alb_multi")
    )
    assert client_identity(scope, trusted_proxy_hops=0) == "ip:198.51.100.7"
    # A proxy in front of the ALB (e.g. CloudFront) is one more trusted hop.
    assert client_identity(scope, trusted_proxy_hops=2) == "ip:203.0.113.5"
