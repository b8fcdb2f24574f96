"""Leases (who is running a run, until when) and an index for listing recent runs.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("runs", sa.Column("lease_holder", sa.Text, nullable=True))
    op.add_column("runs", sa.Column("lease_expires", sa.Float, nullable=True))
    op.create_index("runs_updated_at", "runs", ["updated_at"])


def downgrade() -> None:
    op.drop_index("runs_updated_at", "runs")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("lease_expires")
        batch.drop_column("lease_holder")
