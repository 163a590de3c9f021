"""Backend executors of the indicator engine: each materialises the plan's inputs and runs its groups.

- :class:`PortableExecutor` (``portable.py``): any ibis backend (Spark, DuckDB, …); inputs read by
  more than one group are materialised with ``Table.cache()``.
- :class:`DuckDBExecutor` (``duckdb.py``): the store's production executor, with DuckDB-only
  accelerations (dense integer firm ids, ENUM cluster ids, bitmasks, per-year aggregates, hand-written
  SQL); each accelerated input or group has a portable twin in the registry that the tests compare
  it with.
"""

from __future__ import annotations

from .portable import PortableExecutor


def executor_for(con):
    """The production executor of ``con``'s backend (DuckDB: :class:`DuckDBExecutor`; any other
    ibis backend: :class:`PortableExecutor`)."""
    if getattr(con, "name", None) == "duckdb":
        from .duckdb import DuckDBExecutor

        return DuckDBExecutor(con)
    return PortableExecutor(con)


__all__ = ["executor_for", "PortableExecutor"]
