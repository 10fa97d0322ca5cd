"""How sure the quote tagger is that a row is a quotation: ``quotations.quote_confidence``.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03

A new nullable column (0-1): the mean, over the quotation's words, of the
tagger's probability that a word is quoted.  NULL for rows stored before this
revision, for quotations added by hand and for rows extracted without models.
The old ``confidence`` column was always 1.0 (nothing measured it); it stays,
unused, because dropping a column rebuilds the table on SQLite.  Works on
SQLite and PostgreSQL alike (an added column rewrites nothing).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the column; existing rows keep NULL (their confidence was never measured)."""
    with op.batch_alter_table("quotations") as batch:
        batch.add_column(sa.Column("quote_confidence", sa.Float()))


def downgrade() -> None:
    raise NotImplementedError("quotetrail migrates forward only")
