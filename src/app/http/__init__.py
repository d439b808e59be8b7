"""The HTTP layer every domain shares: envelope, errors, OpenAPI helpers, pure ASGI
middlewares, and one folder per cross-cutting feature (request context, idempotency, rate
limit). It knows no domain."""
