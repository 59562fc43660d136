"""The storage fixtures (every ``db`` test runs on SQLite and on PostgreSQL) for the analytics tests."""
from tests.store.conftest import db, db_url  # noqa: F401  (fixtures)
