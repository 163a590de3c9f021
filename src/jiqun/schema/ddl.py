"""DuckDB DDL derived from the table declarations.

Keys and foreign keys are *not* declared as DuckDB constraints: DuckDB's ART
indexes cost several GB at 50M rows and its foreign keys forbid updating a
referenced row (which an upsert of ``firms`` must do). Ingest validation
enforces both before anything is written (see :mod:`jiqun.ingest.validate`).
"""

from __future__ import annotations

from .model import Table


def quote(identifier: str) -> str:
    """Quote an SQL identifier."""
    return '"' + identifier.replace('"', '""') + '"'


def create_table_sql(table: Table, name: str | None = None, temporary: bool = False) -> str:
    """Return the ``CREATE TABLE`` statement for ``table`` (optionally under another name)."""
    cols = []
    for col in table.columns:
        null = " NOT NULL" if col.required else ""
        cols.append(f"  {quote(col.name)} {col.storage_type}{null}")
    kind = "TEMP TABLE" if temporary else "TABLE"
    return f"CREATE {kind} IF NOT EXISTS {quote(name or table.name)} (\n" + ",\n".join(cols) + "\n)"


def schema_sql(tables) -> list[str]:
    """Return the DDL statements that create all ``tables``."""
    return [create_table_sql(t) for t in tables]
