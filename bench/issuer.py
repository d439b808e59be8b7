"""A token issuer for the authentication variant of `make bench`: an RSA key, its JWKS served
over HTTPS on loopback with a self-signed certificate (production settings accept https only;
the probe trusts the certificate through SSL_CERT_FILE), and one long-lived token."""

import datetime
import ipaddress
import json
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

AUDIENCE = "bench"


@dataclass(frozen=True)
class BenchIssuer:
    url: str
    certificate: Path
    token: str


def _self_signed(key: rsa.RSAPrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )


@contextmanager
def bench_issuer(folder: Path) -> Iterator[BenchIssuer]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate, key_file = folder / "issuer.pem", folder / "issuer.key"
    certificate.write_bytes(_self_signed(key).public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    body = json.dumps({"keys": [{**jwk, "kid": "bench", "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"https://127.0.0.1:{server.server_address[1]}"
    claims = {
        "iss": url,
        "sub": "bench",
        "aud": AUDIENCE,
        "scope": "books:read",
        "exp": int(time.time()) + 3 * 3600,
    }
    token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "bench"})
    try:
        yield BenchIssuer(url, certificate, token)
    finally:
        server.shutdown()
        server.server_close()
