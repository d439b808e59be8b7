"""Books example domain (PostgreSQL): endpoints -> services -> repositories; DTOs in schema."""
