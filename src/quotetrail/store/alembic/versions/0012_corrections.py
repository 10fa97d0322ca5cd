"""Corrections: the append-only corrections log, where each correction is placed now, and two quotation columns.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01

``quotations.corrected`` (1 once a correction applies) and
``quotations.extractor_version`` (which quotetrail and models extracted the
row; NULL for rows stored before this revision) are new columns; the
tables are those of ``schema.py`` (``corrections``,
``correction_placements``).  Works on SQLite (old files get here after the
numbered migrations and the baseline stamp) and PostgreSQL alike.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from quotetrail.store.schema import Str, correction_placements, corrections

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the two quotation columns and create the two tables from schema.py (one definition for both)."""
    with op.batch_alter_table("quotations") as batch:
        batch.add_column(sa.Column("corrected", sa.Integer(), nullable=False, server_default=sa.text("0")))
        batch.add_column(sa.Column("extractor_version", Str))
    bind = op.get_bind()
    corrections.create(bind, checkfirst=True)
    correction_placements.create(bind, checkfirst=True)


def downgrade() -> None:
    raise NotImplementedError("quotetrail migrates forward only")
