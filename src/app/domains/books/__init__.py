"""Books (PostgreSQL), the fuller example: If-Match versions, soft delete, a read cache, ISBNs.

routes -> services -> repositories -> models; schema holds the DTOs, errors the 1xxx codes.
"""
