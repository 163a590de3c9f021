"""Physical order of the store's tables (``Table.sort_by``).

The loader writes each load's rows in the table's stored order (:func:`jiqun.store.keys.load_order`).
:func:`rewrite_in_stored_order` brings rows written another way (a store from before the order
was declared, a bulk SQL insert) into it. The order is for speed only: no figure depends on it
beyond floating-point rounding.
"""

from __future__ import annotations

from .._duck import fetch_one, fetch_all
from ..schema import get_table
from ..schema.ddl import quote


def rewrite_in_stored_order(db, table: str) -> int:
    """Rewrite all rows of ``table`` sorted by its ``sort_by`` columns (ties in their present order).
    Runs inside the caller's transaction when there is one. Returns the rows rewritten (0 when the
    table declares no order)."""
    spec = get_table(table)
    if not spec.sort_by:
        return 0
    name = quote(table)
    order = ", ".join([quote(c) for c in spec.sort_by] + ["rowid"])
    fetch_all(db, f"CREATE OR REPLACE TEMP TABLE _jiqun_sorted AS SELECT * FROM {name} ORDER BY {order}")
    try:
        n = fetch_one(db, "SELECT count(*) FROM _jiqun_sorted")[0]
        fetch_all(db, f"DELETE FROM {name}")
        fetch_all(db, f"INSERT INTO {name} SELECT * FROM _jiqun_sorted")
    finally:
        fetch_all(db, "DROP TABLE IF EXISTS temp._jiqun_sorted")
    return n
