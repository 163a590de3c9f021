"""Opening a jiqun store for use: the schema (from :mod:`jiqun.store`) and the shipped reference
catalogue (from :mod:`jiqun.catalogue`), which the store layer knows nothing about."""

from __future__ import annotations

from pathlib import Path

from .catalogue import ensure_reference_catalogue
from .store import connect as connect_store


def connect(url: str | Path | None = None, *, create: bool = True, read_only: bool = False):
    """Open a jiqun store, create or upgrade its schema and fill the shipped reference catalogue
    (code lists, clusters, chain templates) when the store does not hold it yet.

    Parameters
    ----------
    url : str or Path, optional
        DuckDB file path or ``duckdb://`` URL; default: the ``db`` setting.
    create : bool
        Create a store that does not exist yet.
    read_only : bool
        Open without write access (nothing is created, upgraded or loaded).

    Returns
    -------
    ibis.backends.duckdb.Backend

    Raises
    ------
    jiqun.store.StoreError
        As :func:`jiqun.store.connect`.
    jiqun.ingest.IngestError
        A shipped catalogue file fails validation (a broken installation).
    """
    con = connect_store(url, create=create, read_only=read_only)
    if read_only:
        return con
    try:
        ensure_reference_catalogue(con)
    except BaseException:
        con.disconnect()  # release the file lock before reporting
        raise
    return con
