"""Reviews of books, stored in MongoDB: endpoints -> services -> repositories."""
