"""Version 1 of the public API: one package per domain, each listed in `app.domains`."""
