"""Editing through ``serve`` and fact-checking: users, API tokens, claim ratings and speaker merges.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01

The four tables are those of ``schema.py`` (``users``, ``api_tokens``,
``claim_reviews``, ``speaker_aliases``); nothing existing changes.  Works on
SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from alembic import op

from quotetrail.store.schema import api_tokens, claim_reviews, speaker_aliases, users

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the four tables from schema.py (one definition for both databases)."""
    bind = op.get_bind()
    for table in (users, api_tokens, claim_reviews, speaker_aliases):
        table.create(bind, checkfirst=True)


def downgrade() -> None:
    raise NotImplementedError("quotetrail migrates forward only")
