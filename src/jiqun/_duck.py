"""DuckDB specifics shared by the store and ingest (kept out of the analytics).

DuckDB 2 keeps a result open until it is fetched to the end, and refuses other
work on the connection meanwhile; these helpers always consume the result.
"""

from __future__ import annotations


def duckdb_connection(con):
    """The DuckDB connection behind an ibis backend (or a raw DuckDB connection, returned as is)."""
    return getattr(con, "con", con)


def fetch_all(db, sql: str, params=None) -> list[tuple]:
    """Execute ``sql`` and return all rows (an empty list for statements)."""
    cursor = db.execute(sql) if params is None else db.execute(sql, params)
    return cursor.fetchall()


def fetch_one(db, sql: str, params=None) -> tuple | None:
    """Execute ``sql`` and return its first row (or None)."""
    rows = fetch_all(db, sql, params)
    return rows[0] if rows else None


def replace_keyed_rows(con, table: str, rows, keys) -> None:
    """Replace the rows of ``table`` whose ``keys`` are in the pyarrow table ``rows`` by ``rows`` (its
    columns in the table's order), in one transaction."""
    db = duckdb_connection(con)
    match = " AND ".join(f"t.{k} = n.{k}" for k in keys)
    db.register("_jiqun_new_rows", rows)
    try:
        fetch_all(db, "BEGIN TRANSACTION")
        try:
            fetch_all(db, f"DELETE FROM {table} t USING _jiqun_new_rows n WHERE {match}")
            fetch_all(db, f"INSERT INTO {table} SELECT {', '.join(rows.column_names)} FROM _jiqun_new_rows")
            fetch_all(db, "COMMIT")
        except Exception:
            fetch_all(db, "ROLLBACK")
            raise
    finally:
        db.unregister("_jiqun_new_rows")
