"""Alembic's environment for quotetrail, configured in code: no alembic.ini is needed.

quotetrail itself runs the revisions from ``store/migrate.py`` when a store
is opened; this file serves a developer's ``alembic`` command (``alembic
revision``/``upgrade`` with ``script_location`` pointing here), reading the
target database from ``-x db=…`` or ``QUOTETRAIL_DB``.
"""

from __future__ import annotations

import os

from alembic import context

from quotetrail.store.connect import connect
from quotetrail.store.schema import metadata


def run_migrations_online() -> None:
    """Run the pending revisions against the database named by ``-x db=`` or QUOTETRAIL_DB."""
    target = context.get_x_argument(as_dictionary=True).get("db") or os.environ.get("QUOTETRAIL_DB", "quotetrail.db")
    conn, _ = connect(target)
    try:
        context.configure(connection=conn.raw, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    finally:
        conn.close()


if context.is_offline_mode():
    raise SystemExit("quotetrail's migrations run online only: give a database with -x db=…")
run_migrations_online()
