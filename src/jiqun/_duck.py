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


# Deprecated aliases: used by metrics until the engine rewrite lands.
run = fetch_all
one = fetch_one
