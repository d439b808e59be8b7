"""A real token issuer for the suite: RSA and EC keys, a JWKS served over HTTP on loopback
(which can be stopped, or rotated), and tokens signed as a real issuer (or a forger) would."""

import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass
class SigningKey:
    kid: str
    private: PrivateKey
    algorithm: str  # RS256 or ES256

    @classmethod
    def rsa(cls, kid: str) -> "SigningKey":
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return cls(kid, private, "RS256")

    @classmethod
    def ec(cls, kid: str) -> "SigningKey":
        return cls(kid, ec.generate_private_key(ec.SECP256R1()), "ES256")

    def jwk(self) -> dict[str, Any]:
        public = self.private.public_key()
        if isinstance(public, rsa.RSAPublicKey):
            exported = jwt.algorithms.RSAAlgorithm.to_jwk(public, as_dict=True)
        else:
            exported = jwt.algorithms.ECAlgorithm.to_jwk(public, as_dict=True)
        return {**exported, "kid": self.kid, "use": "sig", "alg": self.algorithm}


@dataclass
class TokenIssuer:
    """Publishes `keys` at `<url>/.well-known/jwks.json` while started; counts the fetches."""

    keys: list[SigningKey]
    audience: str = "api-client"
    extra_jwks: list[dict[str, Any]] = field(default_factory=list)  # published as they are
    fetches: int = 0
    _server: ThreadingHTTPServer | None = field(default=None, repr=False)
    _port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def start(self) -> None:
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                issuer.fetches += 1
                keys = [key.jwk() for key in issuer.keys] + issuer.extra_jwks
                body = json.dumps({"keys": keys}).encode()
                ok = self.path == "/.well-known/jwks.json"
                self.send_response(200 if ok else 404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body if ok else b"{}")

            def log_message(self, format: str, *args: object) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        self._port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """The issuer goes away: its port refuses connections (the URL stays the same)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def token(
        self,
        *,
        key: SigningKey | None = None,
        headers: Mapping[str, Any] | None = None,
        algorithm: str | None = None,
        **claims: Any,
    ) -> str:
        """A token signed with `key` (default: the first published key) carrying the usual
        claims (iss, sub, aud, scope, iat, exp), which keyword arguments override; a claim or a
        header set to None is left out."""
        signer = key or self.keys[0]
        now = int(time.time())
        body = {
            "iss": self.url,
            "sub": "user-1",
            "aud": self.audience,
            "scope": "books:read books:write reviews:read reviews:write",
            "iat": now,
            "exp": now + 300,
            **claims,
        }
        body = {name: value for name, value in body.items() if value is not None}
        header = {"kid": signer.kid, **(headers or {})}
        header = {name: value for name, value in header.items() if value is not None}
        return jwt.encode(
            body, signer.private, algorithm=algorithm or signer.algorithm, headers=header
        )
