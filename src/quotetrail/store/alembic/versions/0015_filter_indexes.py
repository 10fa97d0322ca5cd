"""Indexes for the type and confidence filters: bounded pages and counts at a million quotations.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03

Without them a list filtered by ``type`` or ``min_quote_confidence`` counted
its total by reading every row: 250-300 ms per page at 1,000,000 quotations
(bench/scale.py), over the 200 ms every page is held to.

- ``quotations_type_key`` (type, then the date order, then the confidence
  columns): a type's page is read in date order from it, and its count, with
  or without the confidence filter, from the index alone.
- ``quotations_quote_confidence`` and the partial ``quotations_corrected``
  (only corrected rows, so it stays small): ``quote_confidence >= ? OR
  corrected = 1`` is counted from the two indexes instead of the table.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_CORRECTED = sa.text("corrected = 1")


def upgrade() -> None:
    """Build the three indexes (a few seconds at a million rows)."""
    op.create_index(
        "quotations_type_key",
        "quotations",
        ["type", "said_key", "article_id", "start", "id", "quote_confidence", "corrected"],
    )
    op.create_index("quotations_quote_confidence", "quotations", ["quote_confidence"])
    op.create_index(
        "quotations_corrected", "quotations", ["corrected"], sqlite_where=_CORRECTED, postgresql_where=_CORRECTED
    )


def downgrade() -> None:
    raise NotImplementedError("quotetrail migrates forward only")
