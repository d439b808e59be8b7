"""Pure ASGI middlewares (no BaseHTTPMiddleware: it hides exceptions and costs time)."""
