"""Baseline: the schema after the numbered SQLite migrations 001-011 (store/migrations).

Revision ID: 0011
Revises:
Create Date: 2025-11-30

A database reaches this revision in one of two ways, never by running this
file: a SQLite file from before Alembic gets the numbered SQL migrations and
is stamped here; a new database is created from ``schema.py`` and stamped at
the head.  Schema changes after this one are revisions that follow it.
"""

from __future__ import annotations

revision = "0011"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing: see the docstring above (store/migrate.py creates or stamps)."""


def downgrade() -> None:
    raise NotImplementedError("quotetrail migrates forward only")
