"""The store: an ibis connection (a DuckDB file by default) with jiqun's schema.

Backend specifics live here and in :mod:`jiqun.ingest`; analytics only see ibis
tables, so another ibis backend (PySpark) can be added without touching them.
"""

from .connection import SCHEMA_VERSION, StoreError, connect, initialize, parse_url, read_meta, write_meta
from .migrations import MIGRATIONS

__all__ = ["SCHEMA_VERSION", "StoreError", "connect", "initialize", "parse_url", "read_meta", "write_meta",
           "MIGRATIONS"]
