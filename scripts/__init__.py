"""Developer tooling that never ships: embedded stores, local Lambda server, lint helpers."""
