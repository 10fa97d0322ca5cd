"""Corrections that stick: a person fixes a quotation, and the fix holds and is kept in an audit trail.

Every correction is appended to the ``corrections`` log (who, when, the
quotation's anchor, field, value before and after, note) and never updated
or deleted.  It is applied to the stored rows, so every list, search and
export shows it, and applied again whenever ``store.add_extraction``
replaces the article's quotations (re-ingest of an edited file,
``reextract`` with new models).  The modules, in the order a correction
travels:

- ``validate``: every check, one place, for the CLI, the API and the web;
- ``edit``: ``correct`` (one quotation) and ``correct_claim`` (every member);
- ``add``: ``add_quotation`` for one the extractor missed;
- ``undo``: ``undo`` appends an entry reverting an earlier one;
- ``apply``: how a correction changes the rows (shared by all of the above);
- ``log``: appending, placing, reading the history;
- ``reapply``: placing the log again on re-extracted quotations;
- ``pins``: the claim a person put a quotation in, read by claims grouping;
- ``transfer``: the log as JSONL, for ``export --corrections`` and ``load --corrections``.
"""

from __future__ import annotations

from .add import add_quotation
from .edit import correct, correct_claim
from .log import Correction, current_user, history
from .reapply import reapply_corrections
from .transfer import load_log, write_log
from .undo import undo
from .validate import CLAIM_WIDE_FIELDS, FIELDS, LOG_FIELDS, CorrectionError, validate

__all__ = [
    "CLAIM_WIDE_FIELDS",
    "FIELDS",
    "LOG_FIELDS",
    "Correction",
    "CorrectionError",
    "add_quotation",
    "correct",
    "correct_claim",
    "current_user",
    "history",
    "load_log",
    "reapply_corrections",
    "undo",
    "validate",
    "write_log",
]
