"""Data stores: each has one lazily created, process-wide client."""
