"""Redis: the process-wide async client, the read cache, idempotency records and rate limits."""
