"""Validated ingest of CSV/XLSX/Parquet files into the store (all or nothing)."""

from .errors import RULES, IngestError, Problem
from .history import ChangeSummary, HistoryError, UndoResult, load_changes, undo_load
from .load import MODES, LoadResult, ingest_file, ingest_table

__all__ = ["RULES", "IngestError", "Problem", "MODES", "LoadResult", "ingest_file", "ingest_table",
           "ChangeSummary", "HistoryError", "UndoResult", "load_changes", "undo_load"]
