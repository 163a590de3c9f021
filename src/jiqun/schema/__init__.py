"""Schema as code: every table declared once (see :mod:`jiqun.schema.tables`)."""

from .ddl import create_table_sql, schema_sql
from .model import CODE_LISTS, MONEY_UNITS, Column, ForeignKey, RowRule, Table
from .tables import LOADABLE, TABLES

__all__ = [
    "CODE_LISTS", "MONEY_UNITS", "Column", "ForeignKey", "RowRule", "Table", "TABLES", "LOADABLE",
    "create_table_sql", "schema_sql", "get_table",
]


def get_table(name: str) -> Table:
    """Return the declaration of table ``name`` or raise a helpful ``KeyError``."""
    try:
        return TABLES[name]
    except KeyError:
        known = ", ".join(sorted(TABLES))
        raise KeyError(f"unknown table {name!r}; known tables: {known}") from None
