"""Per-client rate limit on the API routes: the middleware, its Redis counter and its
OpenAPI notes."""
