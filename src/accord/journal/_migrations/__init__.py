"""Alembic migrations of the journal schema (run by :mod:`accord.journal._migrate`, never by hand)."""
