"""A development token issuer, so `AUTH_ENABLED=true make run` works without a real one.

Its RSA key lives in .local/auth/ (made on first use, never committed). `serve` publishes the
JWKS at http://127.0.0.1:<port>/.well-known/jwks.json (`make run` starts it when AUTH_ENABLED
is true and AUTH_ISSUER unset); `token` prints an access token for it (`make token`). Both
refuse to run outside ENVIRONMENT=local or testing, and the app itself accepts an http issuer
only there.
"""

import argparse
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from app.domains import DOMAINS

ROOT = Path(__file__).resolve().parents[1]
KEY_FILE = ROOT / ".local" / "auth" / "dev-issuer-key.pem"
KEY_ID = "dev-issuer-1"
AUDIENCE = "local-dev"
DEFAULT_PORT = 9400
ALLOWED_ENVIRONMENTS = ("local", "testing")
DEFAULT_TTL_SECONDS = 8 * 3600  # a working day


class DevIssuerError(RuntimeError):
    """The dev issuer may not run here, or its key cannot be used."""


def issuer_url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def port_from_environment() -> int:
    return int(os.environ.get("DEV_ISSUER_PORT", DEFAULT_PORT))


def refuse_outside_local() -> None:
    environment = os.environ.get("ENVIRONMENT", "local").strip().lower() or "local"
    if environment not in ALLOWED_ENVIRONMENTS:
        raise DevIssuerError(
            f"the dev issuer is for local work only, not ENVIRONMENT={environment}: "
            "configure AUTH_ISSUER with your real issuer (docs/auth.md)"
        )


def private_key(path: Path = KEY_FILE) -> rsa.RSAPrivateKey:
    """The issuer's key, created (readable by its owner only) on first use."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path.touch(mode=0o600)
        path.write_bytes(pem)
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, rsa.RSAPrivateKey):
        raise DevIssuerError(f"{path} is not an RSA key: delete it to make a new one")
    return loaded


def jwks(key: rsa.RSAPrivateKey) -> dict[str, Any]:
    public: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {"keys": [{**public, "kid": KEY_ID, "use": "sig", "alg": "RS256"}]}


def mint(
    key: rsa.RSAPrivateKey,
    *,
    port: int,
    subject: str,
    scopes: list[str],
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
) -> str:
    now = int(time.time())
    claims = {
        "iss": issuer_url(port),
        "sub": subject,
        "aud": AUDIENCE,
        "scope": " ".join(scopes),
        "iat": now,
        "exp": now + ttl_seconds,
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": KEY_ID})


def every_scope() -> list[str]:
    """`<domain>:read` and `<domain>:write` of every registered domain."""
    return [f"{domain}:{access}" for domain in DOMAINS for access in ("read", "write")]


def serve(key: rsa.RSAPrivateKey, port: int) -> ThreadingHTTPServer:
    """An HTTP server publishing the JWKS (and a minimal OpenID configuration) on loopback."""
    body = json.dumps(jwks(key)).encode()
    discovery = json.dumps(
        {"issuer": issuer_url(port), "jwks_uri": f"{issuer_url(port)}/.well-known/jwks.json"}
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            documents = {
                "/.well-known/jwks.json": body,
                "/.well-known/openid-configuration": discovery,
            }
            document = documents.get(self.path)
            self.send_response(200 if document else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(document or b"{}")

        def log_message(self, format: str, *args: object) -> None:
            return None  # quiet: devstack's own lines say what runs

    return ThreadingHTTPServer(("127.0.0.1", port), Handler)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dev_issuer.py", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="publish the JWKS on 127.0.0.1:DEV_ISSUER_PORT")
    token = commands.add_parser("token", help="print an access token")
    token.add_argument("--sub", default="dev-user", help="subject (default dev-user)")
    token.add_argument("--scope", help="space-separated scopes (default: every domain's)")
    token.add_argument("--ttl", type=int, default=DEFAULT_TTL_SECONDS, help="seconds")
    args = parser.parse_args(argv)
    port = port_from_environment()
    try:
        refuse_outside_local()
        key = private_key()
    except DevIssuerError as error:
        print(f"dev issuer: {error}", file=sys.stderr)
        return 2
    if args.command == "token":
        scopes = args.scope.split() if args.scope else every_scope()
        print(mint(key, port=port, subject=args.sub, scopes=scopes, ttl_seconds=args.ttl))
        return 0
    with serve(key, port) as server:
        print(f"dev issuer: {issuer_url(port)} (audience {AUDIENCE})", file=sys.stderr, flush=True)
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
