"""Bearer JWT verification against the issuer's JWKS.

RS256 and ES256 only (`none` and HS* are refused whatever the header says); `exp` and `nbf`
with a small leeway; `iss` exactly; the audience by `aud`, or for Cognito access tokens (no
`aud`) by `client_id`; Cognito's `token_use` must be "access" or "id". The keys are fetched on
first need, kept per process, and fetched again for an unknown `kid` (key rotation) within a
small budget (`RefetchBudget`), so forged kids cannot make the app hammer the issuer and one
stray token does not keep a key the issuer has just published out for long. A token
that passed is remembered until it expires (the same token is checked again only for `exp`):
clients send one token for its lifetime, and the signature check is most of a warm request's
authentication cost.

Loaded on the first request that carries a token, so PyJWT and cryptography stay out of the
Lambda init.
"""

import asyncio
import json
import time
import urllib.request
from collections.abc import Mapping
from typing import Any

import jwt

from app.core.settings import Settings
from app.core.tracing import client_span, http_attributes

ALGORITHMS = frozenset({"RS256", "ES256"})
LEEWAY_SECONDS = 30
JWKS_TIMEOUT_SECONDS = 3.0
# Refetches for unknown kids: up to JWKS_REFETCH_BURST at once, then one per interval (a few a
# minute, as common JWKS clients allow).
JWKS_REFETCH_BURST = 3
JWKS_REFETCH_INTERVAL_SECONDS = 20.0
TOKEN_USES = frozenset({"access", "id"})
ACCEPTED_TOKENS_KEPT = 1024


class InvalidTokenError(Exception):
    """The token is not acceptable; the reason is for the logs, never for the client."""


class KeysUnavailableError(Exception):
    """The issuer's JWKS could not be fetched or read."""


class RefetchBudget:
    """A token bucket: `JWKS_REFETCH_BURST` refetches, refilled by one every
    `JWKS_REFETCH_INTERVAL_SECONDS`."""

    def __init__(self) -> None:
        self._tokens = float(JWKS_REFETCH_BURST)
        self._counted_at = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        refill = (now - self._counted_at) / JWKS_REFETCH_INTERVAL_SECONDS
        self._tokens = min(float(JWKS_REFETCH_BURST), self._tokens + refill)
        self._counted_at = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True


class Jwks:
    """One issuer's signing keys by `kid`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._keys: dict[str | None, jwt.PyJWK] = {}
        self._fetched = False
        self._refetches = RefetchBudget()

    async def key(self, kid: str | None) -> jwt.PyJWK:
        if kid in self._keys:
            return self._keys[kid]
        if self._fetched and not self._refetches.take():
            raise InvalidTokenError(f"unknown key id {kid!r} (JWKS refetch budget spent)")
        await self._fetch()
        if kid in self._keys:
            return self._keys[kid]
        raise InvalidTokenError(f"unknown key id {kid!r}")

    async def _fetch(self) -> None:
        document = await asyncio.to_thread(_download, self.url)
        keys: dict[str | None, jwt.PyJWK] = {}
        for entry in document.get("keys", ()) if isinstance(document, dict) else ():
            if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
                continue
            try:
                key = jwt.PyJWK(entry)
            except jwt.PyJWTError:
                continue  # a key type or curve this service does not verify with
            keys[entry.get("kid")] = key
        if len(keys) == 1:
            keys[None] = next(iter(keys.values()))  # a token without kid, a one-key issuer
        self._keys = keys
        self._fetched = True


def _download(url: str) -> Any:
    # The URL comes from the settings (https, or loopback http in local work), never a token.
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    try:
        with (
            client_span("GET", http_attributes("GET", url)) as span,
            urllib.request.urlopen(request, timeout=JWKS_TIMEOUT_SECONDS) as response,  # noqa: S310
        ):
            span.set_attribute("http.response.status_code", response.status)
            return json.load(response)
    except (OSError, ValueError) as error:
        raise KeysUnavailableError(f"{url}: {error}") from None


_issuers: dict[str, Jwks] = {}


def jwks(url: str) -> Jwks:
    """The process's key cache for a JWKS URL."""
    return _issuers.setdefault(url, Jwks(url))


# Accepted tokens by (token, issuer, audiences), oldest first: their claims.
_accepted: dict[tuple[str, str | None, tuple[str, ...]], Mapping[str, Any]] = {}


def forget() -> None:
    """Fetch the keys and check each token again, as a new sandbox does: one restored from a
    SnapStart snapshot must not trust keys or tokens for as long as the snapshot is kept."""
    _issuers.clear()
    _accepted.clear()


async def verify(token: str, settings: Settings) -> Mapping[str, Any]:
    """The token's claims once every check passed; InvalidTokenError or KeysUnavailableError."""
    remembered = (token, settings.auth_issuer, tuple(settings.auth_audience))
    claims = _accepted.get(remembered)
    if claims is not None:
        if claims["exp"] + LEEWAY_SECONDS > time.time():
            return claims
        del _accepted[remembered]
    claims = await _verify(token, settings)
    if len(_accepted) >= ACCEPTED_TOKENS_KEPT:
        del _accepted[next(iter(_accepted))]
    _accepted[remembered] = claims
    return claims


async def _verify(token: str, settings: Settings) -> Mapping[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise InvalidTokenError(f"unreadable header: {error}") from None
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise InvalidTokenError(f"algorithm {algorithm!r} is not accepted")
    assert settings.auth_jwks_url is not None  # set whenever auth is enabled (settings)
    key = await jwks(settings.auth_jwks_url).key(header.get("kid"))
    if key.algorithm_name != algorithm:
        raise InvalidTokenError(f"{algorithm} token for a {key.algorithm_name} key")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key.key,
            algorithms=[algorithm],
            issuer=settings.auth_issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iss", "sub"], "verify_aud": False},
        )
    except jwt.PyJWTError as error:
        raise InvalidTokenError(f"{type(error).__name__}: {error}") from None
    _check_audience(claims, settings.auth_audience)
    return claims


def _check_audience(claims: Mapping[str, Any], audiences: list[str]) -> None:
    token_use = claims.get("token_use")
    if token_use is not None and token_use not in TOKEN_USES:
        raise InvalidTokenError(f"token_use {token_use!r} is not accepted")
    if not audiences:
        return
    aud = claims.get("aud")
    named = {aud} if isinstance(aud, str) else set(aud) if isinstance(aud, list) else set()
    if claims.get("token_use") == "access" and isinstance(claims.get("client_id"), str):
        named.add(claims["client_id"])  # Cognito access tokens carry the app client, no aud
    if not named & set(audiences):
        raise InvalidTokenError(f"audience {sorted(map(str, named))} not accepted")
