"""Models of the `public` schema."""
