"""Reviews of books (MongoDB): a domain that asks another (books) through its service.

endpoints -> services -> repositories -> models; schema holds the DTOs, errors the 2xxx codes.
"""
