"""Request dependencies shared by the API and the pages."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request

from ..store import Store, open_store


def get_store(request: Request) -> Iterator[Store]:
    """One store (SQLite connection) per request; WAL lets requests read while an ingest writes."""
    store = open_store(request.app.state.db_path)
    try:
        yield store
    finally:
        store.close()


StoreDep = Annotated[Store, Depends(get_store)]
