"""MongoDB: the process-wide async client, the document base model and the collections."""
