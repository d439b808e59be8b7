"""Errors: internal codes, the API exceptions, the one mapping from any exception to them,
and the handlers and middleware that answer every error with the envelope."""
