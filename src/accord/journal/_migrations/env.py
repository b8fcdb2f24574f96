"""Alembic environment: migrates the connection the journal store hands over (no URL, no ini file)."""

from __future__ import annotations

from alembic import context

from accord.journal._migrate import VERSION_TABLE

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, version_table=VERSION_TABLE)
with context.begin_transaction():
    context.run_migrations()
