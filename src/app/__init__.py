"""FastAPI-on-AWS-Lambda service template."""

__version__ = "0.1.0"
