"""Copy the tables of the data model between stores (DuckDB and Spark, either way) through Parquet."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from .. import settings
from .._duck import duckdb_connection, fetch_one, fetch_all
from ..schema import TABLES, Table
from ..schema.ddl import quote


def backend_kind(con) -> str:
    """``duckdb`` or ``spark``: the engine behind an ibis connection."""
    name = getattr(con, "name", "")
    if name == "duckdb":
        return "duckdb"
    if name == "pyspark":
        return "spark"
    raise ValueError(f"copy_tables supports DuckDB and Spark stores, not {name or type(con).__name__!r}")


def catalogue_table_names() -> list[str]:
    """Names of the shipped reference tables (layer ``catalogue``), in declaration order."""
    return [t.name for t in TABLES.values() if t.layer == "catalogue"]


def copy_tables(source, target, tables=None) -> dict[str, int]:
    """Copy tables of the data model from one store to another, replacing the target's rows.

    Each table goes through Parquet in a temporary folder (the ``temp_dir`` setting, else the
    system's): DuckDB writes it with ``COPY … TO`` and reads it with ``read_parquet``; Spark reads
    and writes it with its own Parquet source. No rows pass through pandas or Python, so tables
    of tens of millions of rows copy in bounded memory. The values are cast to the declared
    column types on the way in, so dates stay dates, int32 stays int32 (``INTEGER``/``int``),
    int64 stays int64, doubles and booleans keep their values; timestamps are stored without time
    zone in DuckDB and read as UTC wall-clock times in Spark (its session time zone is UTC).

    A DuckDB target is written in one transaction (all tables or none). A Spark target is written
    table by table (``INSERT OVERWRITE``, each one job): a failure leaves the tables copied so far.

    Parameters
    ----------
    source, target : ibis.backends.duckdb.Backend or ibis.backends.pyspark.Backend
        Two jiqun stores (:func:`jiqun.store.connect`); both hold every table to copy.
    tables : iterable of str, optional
        Names of the tables to copy; default every table of :data:`jiqun.schema.TABLES`
        (e.g. :func:`catalogue_table_names` for the shipped reference lists only).

    Returns
    -------
    dict of str to int
        Rows copied per table, in declaration order.
    """
    names = list(TABLES) if tables is None else list(tables)
    declared = [TABLES[name] for name in names]
    source_kind, target_kind = backend_kind(source), backend_kind(target)
    scratch = Path(tempfile.mkdtemp(prefix="jiqun-copy-", dir=settings.get("temp_dir") or None))
    try:
        exported = {}
        for table in declared:
            folder = scratch / table.name
            exported[table.name] = (_export_duckdb if source_kind == "duckdb" else _export_spark)(source, table,
                                                                                                folder)
        if target_kind == "duckdb":
            _import_duckdb(target, declared, scratch)
        else:
            for table in declared:
                _import_spark(target, table, scratch / table.name)
        return {name: exported[name] for name in names}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def overwrite_table(con, name: str, rows) -> int:
    """Replace every row of the data-model table ``name`` in ``con`` by the pyarrow table ``rows``
    (its columns named as the table's), through Parquet as :func:`copy_tables` does, so the declared
    column types are kept on every backend. Returns the rows written."""
    import pyarrow.parquet as pq

    table = TABLES[name]
    scratch = Path(tempfile.mkdtemp(prefix="jiqun-overwrite-", dir=settings.get("temp_dir") or None))
    try:
        folder = scratch / table.name
        folder.mkdir(parents=True)
        pq.write_table(rows.select(table.column_names), folder / "part-0.parquet")
        if backend_kind(con) == "duckdb":
            _import_duckdb(con, [table], scratch)
        else:
            _import_spark(con, table, folder)
        return rows.num_rows
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def copy_reference_catalogue(source, target) -> dict[str, int]:
    """Copy the shipped reference lists (regions, industries, clusters, chain nodes …) into ``target``.

    ``source`` is a store filled with the shipped catalogue: today ``jiqun.connect(":memory:")``
    (a DuckDB store in memory); ``jiqun.connect("spark://…")`` calls this to fill a new Spark
    store. Returns the rows copied per table.
    """
    return copy_tables(source, target, catalogue_table_names())


def _export_duckdb(con, table: Table, folder: Path) -> int:
    folder.mkdir(parents=True)
    target = str(folder / "part-0.parquet").replace("'", "''")
    columns = ", ".join(quote(c) for c in table.column_names)
    row = fetch_one(duckdb_connection(con), f"COPY (SELECT {columns} FROM {quote(table.name)}) TO '{target}' "
                                      "(FORMAT parquet, COMPRESSION zstd)")
    return int(row[0]) if row else 0


def _export_spark(con, table: Table, folder: Path) -> int:
    from pyspark.sql import functions as F

    frame = con._session.table(table.name)
    # Spark writes its timestamps as UTC instants; without time zone DuckDB reads them as they are.
    frame = frame.select(*[
        (F.col(f"`{c.name}`").cast("timestamp_ntz") if c.storage_type == "TIMESTAMP" else F.col(f"`{c.name}`"))
        .alias(c.name) for c in table.columns])
    frame.write.mode("overwrite").parquet(str(folder))
    return con._session.read.parquet(str(folder)).count()


def _import_duckdb(con, declared: list[Table], scratch: Path) -> None:
    db = duckdb_connection(con)
    fetch_all(db, "BEGIN TRANSACTION")
    try:
        for table in declared:
            files = sorted((scratch / table.name).glob("*.parquet"))
            fetch_all(db, f"DELETE FROM {quote(table.name)}")
            if not files:
                continue
            listed = ", ".join("'" + str(path).replace("'", "''") + "'" for path in files)
            columns = ", ".join(f"CAST({quote(c.name)} AS {c.storage_type})" for c in table.columns)
            fetch_all(db, f"INSERT INTO {quote(table.name)} SELECT {columns} FROM read_parquet([{listed}])")
        fetch_all(db, "COMMIT")
    except BaseException:
        fetch_all(db, "ROLLBACK")
        raise


def _import_spark(con, table: Table, folder: Path) -> None:
    from .spark import spark_columns_sql, typed_frame

    session = con._session
    if any(folder.glob("*.parquet")):
        frame = typed_frame(session.read.parquet(str(folder)), table)
    else:  # an empty table exported by Spark may leave no part file
        frame = session.createDataFrame([], spark_columns_sql(table).replace("`", ""))
    frame.write.insertInto(table.name, overwrite=True)
