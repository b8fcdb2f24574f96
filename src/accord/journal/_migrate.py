"""Bringing a journal database to the current schema with alembic (an older journal still opens)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .._imports import require

__all__ = ["HEAD", "VERSION_TABLE", "upgrade"]

HEAD = "0002"
"""The schema revision this accord writes."""

VERSION_TABLE = "accord_journal_version"
"""Alembic's version table for the journal (its own name, so it never clashes with an application's alembic)."""

MIGRATIONS = Path(__file__).parent / "_migrations"


def upgrade(url: str, *, revision: str = HEAD, schema: str | None = None) -> None:
    """Migrate the database at SQLAlchemy ``url`` to ``revision`` (in ``schema`` for PostgreSQL)."""
    sqlalchemy: Any = require("sqlalchemy", extra="journal")
    command: Any = require("alembic.command", extra="journal", package="alembic")
    config_module: Any = require("alembic.config", extra="journal", package="alembic")
    config = config_module.Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = sqlalchemy.create_engine(url, poolclass=sqlalchemy.pool.NullPool)
    try:
        with engine.begin() as connection:
            if schema is not None:
                connection.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
                connection.exec_driver_sql(f'SET search_path TO "{schema}"')
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()
