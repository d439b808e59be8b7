"""A local port where nothing listens, for provoking "server down" for real."""

import socket


def closed_port() -> int:
    """Bound and released at once: connecting to it is refused (nothing listens there)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
