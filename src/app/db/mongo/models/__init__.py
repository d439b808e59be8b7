"""MongoDB document models, one module per collection, each declaring its indexes."""
