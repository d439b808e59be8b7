"""Reviews of books (MongoDB): a domain that asks another (books) through its service.

routes -> services -> repositories -> models; schema holds the DTOs, errors the 2xxx codes.
"""
