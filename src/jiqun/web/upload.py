"""Loads through the data page (上传): an uploaded file goes through the same validated ingest as
``jiqun ingest`` (all or nothing), and a refusal comes back as its error report."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..query import Scope, StoreReader

#: How ``loads.source_file`` names a file loaded through the page.
UPLOAD_PREFIX = "网页上传 upload: "
#: Rows of a refused file's error report returned to the page (the full report is a CSV download).
REPORT_ROWS = 50


class UploadRefused(ValueError):
    """The file was refused by ingest; ``report`` holds the problems (JSON-ready)."""

    def __init__(self, message: str, report: dict):
        super().__init__(message)
        self.report = report


def fact_tables() -> list[str]:
    """The tables a user may load (the data model's ``fact`` layer)."""
    from ..schema import TABLES

    return [name for name, table in TABLES.items() if table.layer == "fact"]


def load_upload(reader: StoreReader, scope: Scope, content: bytes, filename: str, table: str,
                vintage: str | None = None) -> dict:
    """Load an uploaded file into ``table`` through validated ingest.

    Returns
    -------
    dict
        ``load_id``, ``table``, ``source_file``, ``rows_in_file``, ``rows_inserted``, ``rows_updated``,
        ``rows_unchanged``, ``header_row``, ``columns_read`` ({file header: stored column}).

    Raises
    ------
    PermissionError
        The scope may not load.
    ValueError
        An unknown table or an empty file name (with the choices / the fix).
    UploadRefused
        Ingest refused the file (an unknown file type included): the problems, their counts per rule
        and the total.
    """
    from ..ingest import ingest_file
    from ..ingest.errors import IngestError

    if not scope.can_load:
        raise PermissionError(f"{scope.label} may not load files into this store")
    tables = fact_tables()
    if table not in tables:
        raise ValueError(f"unknown table {table!r}: choose one of {', '.join(tables)}")
    name = Path(filename or "").name
    if not name:  # the file type itself is checked by ingest (readers.detect_format)
        raise ValueError("no file name: give a .csv, .xlsx or .parquet file")
    with tempfile.TemporaryDirectory(prefix="jiqun-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(content)

        def load(con):
            done = ingest_file(con, path, table, vintage=vintage, report_path=Path(folder) / "report.csv")
            # Provenance names the uploaded file, not the temporary copy ingest read.
            if done.load_id is not None:
                con.con.execute("UPDATE loads SET source_file = ? WHERE load_id = ?", [f"{UPLOAD_PREFIX}{name}",
                                                                                      done.load_id])
            return done

        try:
            result = reader.write(load)
        except IngestError as exc:
            problems = [{"row": p.row, "column": p.column, "value": p.value, "rule": p.rule,
                         "message_zh": p.message_zh, "message_en": p.message_en} for p in exc.problems[:REPORT_ROWS]]
            report = {"error": exc.summary().splitlines()[0].replace(str(path), name), "file": name, "table": table,
                      "total": exc.total, "counts": exc.counts, "problems": problems}
            raise UploadRefused(report["error"], report) from None
    return {"load_id": result.load_id, "table": table, "source_file": name, "rows_in_file": result.rows_in_file,
            "rows_inserted": result.rows_inserted, "rows_updated": result.rows_updated,
            "rows_unchanged": result.rows_unchanged, "header_row": result.header_row,
            "columns_read": {header: column for header, column, _factor in result.columns_read}}
