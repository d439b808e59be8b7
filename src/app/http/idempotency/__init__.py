"""Idempotency-Key on the routes that declare it: records, their Redis store, the
middleware that claims and replays them, and their OpenAPI notes."""
