"""Version 1 of the public API: one package per domain."""
