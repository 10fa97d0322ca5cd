"""``Refused``: an HTTP refusal a person reads, English under /api/ and German on a page (``messages``).

FastAPI's ``HTTPException`` carries one text; a refusal made with it reads
the same on a page as in the API, so the pages said "alice is viewer; this
needs editor or higher" in English.  ``Refused`` carries the template and
its values instead, and the app's handler (``api.install_error_handlers``)
picks the language by where the request went.
"""

from __future__ import annotations

from typing import Any

from ..messages import LocalisedError


class Refused(LocalisedError):
    """A request refused with ``status`` (401, 403, 404, ...) and a message in both languages.

    ``headers`` go with the answer (``WWW-Authenticate`` on a 401 of the API).
    """

    def __init__(self, template: str, /, status: int = 403, headers: dict[str, str] | None = None, **params: Any):
        super().__init__(template, **params)
        self.status = status
        self.headers = headers
