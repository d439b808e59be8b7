"""Request context: the edge middleware (base path, trace id, fixed headers, access line),
who the client is, and the `X-Request-ID` header in OpenAPI."""
