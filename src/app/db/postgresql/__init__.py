"""PostgreSQL: declarative models, the process-wide async engine and Alembic migrations."""
