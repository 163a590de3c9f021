"""The store: an ibis connection (a DuckDB file by default) with jiqun's schema.

Backend specifics live here and in :mod:`jiqun.ingest`; analytics only see ibis
tables, so the PySpark backend (:mod:`jiqun.store.spark`, ``spark://`` URLs) runs them unchanged.
"""

from .connection import SCHEMA_VERSION, StoreError, connect, initialize, parse_url, read_meta, write_meta
from .copy import copy_reference_catalogue, copy_tables, overwrite_table
from .migrations import MIGRATIONS

__all__ = ["SCHEMA_VERSION", "StoreError", "connect", "copy_tables", "copy_reference_catalogue", "overwrite_table",
           "initialize", "parse_url", "read_meta", "write_meta", "MIGRATIONS"]
