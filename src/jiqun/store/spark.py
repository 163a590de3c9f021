"""The Spark store: jiqun's schema in a local (or existing) SparkSession, through ibis' PySpark backend.

Spark is for data that outgrow one machine's DuckDB. The analytics are ibis expressions and run
on it unchanged; loading differs: :func:`ingest_parquet` checks a Parquet file's columns, types,
required values and keys and appends it in one job, but the full validation of ingest (code lists,
cross-field rules, outliers, change history) runs only in the DuckDB ingest. The route for national
data is therefore: ingest each year into a DuckDB store, then :func:`jiqun.store.copy_tables` it
into Spark (docs/scaling.md, "Spark backend").

Nothing is downloaded: the session is plain local Spark (no Maven or Ivy packages), configured by
the ``spark_*`` settings (driver memory, shuffle partitions, warehouse folder).
"""

from __future__ import annotations

import atexit
import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

from .. import settings
from ..schema import TABLES, Table, get_table
from .migrations import SCHEMA_VERSION

META = "jiqun_meta"

#: Spark SQL type of each DuckDB storage type of the data model.
SPARK_TYPES = {
    "VARCHAR": "string",
    "INTEGER": "int",
    "BIGINT": "bigint",
    "DOUBLE": "double",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "BOOLEAN": "boolean",
}

#: File column types accepted for each declared Spark type (lossless widenings only).
ACCEPTED_FILE_TYPES = {
    "string": {"string"},
    "int": {"int", "smallint", "tinyint"},
    "bigint": {"bigint", "int", "smallint", "tinyint"},
    "double": {"double", "float", "bigint", "int", "smallint", "tinyint"},
    "date": {"date"},
    "timestamp": {"timestamp", "timestamp_ntz"},
    "boolean": {"boolean"},
}

_LOG4J = """rootLogger.level = error
rootLogger.appenderRef.stdout.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


class SparkStoreError(RuntimeError):
    """A Spark store cannot be opened, or a Parquet file cannot be loaded into it."""


def spark_type(column) -> str:
    """The Spark SQL type a declared column is stored as."""
    return SPARK_TYPES[column.storage_type]


def spark_session(master: str = "local[2]"):
    """Start (or reuse) a SparkSession configured for a laptop without network.

    Parameters
    ----------
    master : str
        Spark master, e.g. ``local[2]`` (two worker threads) or ``local[*]``.

    Returns
    -------
    pyspark.sql.SparkSession
        UI off, session time zone UTC, ``spark.sql.shuffle.partitions`` from the
        ``spark_shuffle_partitions`` setting, driver memory from ``spark_driver_memory``, warehouse
        in ``spark_warehouse`` (default: a new temporary folder, never the working directory),
        logs at ERROR. Static options (driver memory, warehouse) only apply when this call starts
        the JVM; an already running session is returned with the runtime options set.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkStoreError("the Spark backend needs pyspark: pip install 'jiqun[spark]'") from None
    partitions = settings.get_int("spark_shuffle_partitions")
    warehouse = settings.get("spark_warehouse").strip()
    scratch = Path(tempfile.mkdtemp(prefix="jiqun-spark-", dir=settings.get("temp_dir") or None))
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)  # the temporary warehouse, logs config
    warehouse_dir = Path(warehouse).resolve() if warehouse else scratch / "warehouse"
    log_config = scratch / "log4j2.properties"
    log_config.write_text(_LOG4J, encoding="utf-8")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # no "hostname resolves to a loopback" warning
    java_options = f"-Dlog4j2.configurationFile=file:{log_config} -Dderby.system.home={scratch}"
    builder = (
        SparkSession.builder.master(master).appName("jiqun")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.driver.memory", settings.get("spark_driver_memory"))
        .config("spark.sql.warehouse.dir", str(warehouse_dir))
        .config("spark.driver.extraJavaOptions", java_options)
        .config("spark.sql.sources.partitionOverwriteMode", "static")
    )
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # no Java, JVM failed to start …
        raise SparkStoreError(f"cannot start Spark ({master}): {str(exc).splitlines()[0]} "
                              "(Spark needs Java 17 or 21 on the PATH or in JAVA_HOME)") from None
    session.sparkContext.setLogLevel("ERROR")
    session.conf.set("spark.sql.shuffle.partitions", str(partitions))
    session.conf.set("spark.sql.session.timeZone", "UTC")
    return session


def is_spark_session(obj) -> bool:
    """Whether ``obj`` is a pyspark SparkSession (without importing pyspark when it is not loaded)."""
    return type(obj).__name__ == "SparkSession" and type(obj).__module__.startswith("pyspark")


def connect_spark(target="local[2]"):
    """Open a Spark store: an ibis PySpark connection holding every table of the data model.

    Parameters
    ----------
    target : str or pyspark.sql.SparkSession
        Spark master (``local[2]``, from a ``spark://local[2]`` URL) or a running session.

    Returns
    -------
    ibis.backends.pyspark.Backend
        Missing tables of :data:`jiqun.schema.TABLES` are created empty with their declared
        column types (string, int, bigint, double, date, timestamp, boolean) beside a
        ``jiqun_meta`` table (key, value) holding the schema version.

    Raises
    ------
    SparkStoreError
        pyspark is not installed, Spark cannot start, or an existing table has other columns.
    """
    import ibis

    session = target if is_spark_session(target) else spark_session(str(target))
    con = ibis.pyspark.connect(session)
    con._jiqun_location = f"spark://{session.sparkContext.master}"
    initialize_spark(con)
    return con


def _session(con):
    return getattr(con, "_session", con)


def initialize_spark(con) -> None:
    """Create the missing tables of the data model (empty) and refuse drifted ones."""
    session = _session(con)
    existing = {t.name for t in session.catalog.listTables()}
    if META not in existing:
        session.sql(f"CREATE TABLE {META} (key string, value string) USING parquet")
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        rows = [("schema_version", str(SCHEMA_VERSION)), ("created_at", now)]
        session.createDataFrame(rows, "key string, value string").write.insertInto(META)
    for table in TABLES.values():
        if table.name in existing:
            columns = [c.name for c in session.table(table.name).schema.fields]
            if columns != table.column_names:
                raise SparkStoreError(f"Spark table {table.name} has columns {columns}, expected "
                                      f"{table.column_names}")
            continue
        session.sql(f"CREATE TABLE `{table.name}` ({spark_columns_sql(table)}) USING parquet")


def spark_columns_sql(table: Table) -> str:
    """The column list of a ``CREATE TABLE`` for ``table`` in Spark SQL."""
    return ", ".join(f"`{c.name}` {spark_type(c)}" for c in table.columns)


def typed_frame(frame, table: Table):
    """``frame`` (a Spark DataFrame with the table's columns) cast to the declared types, in order."""
    from pyspark.sql import functions as F

    return frame.select(*[F.col(f"`{c.name}`").cast(spark_type(c)).alias(c.name) for c in table.columns])


def ingest_parquet(con, path: str | Path, table: str) -> int:
    """Append a Parquet file (or folder of part files) to a table of a Spark store, all or nothing.

    Checks, in order, each failure raising one error naming the file, the column and the rule:
    the file's columns are columns of the table and include every required one (``columns``);
    each column's type is the declared one or a lossless widening (int32 into bigint or double,
    timestamp without time zone into timestamp: ``type``); required columns hold no null
    (``required``); the primary key is unique in the file and not already in the table
    (``primary_key``). Then the rows, cast to the declared types, are appended in one Spark job
    (its output committer publishes the files only when every task succeeded).

    Code lists, cross-field rules, outlier checks and the change history are **not** checked: they
    run in the DuckDB ingest (:func:`jiqun.ingest.ingest_file`); load national data year by year
    into DuckDB and :func:`jiqun.store.copy_tables` the store into Spark.

    Parameters
    ----------
    con : ibis.backends.pyspark.Backend
        A Spark store (:func:`connect_spark`).
    path : str or Path
        Parquet file, folder of part files or glob.
    table : str
        Name of a table of the data model.

    Returns
    -------
    int
        Rows appended.

    Raises
    ------
    SparkStoreError
        The file breaks one of the rules above (nothing is written).
    """
    from pyspark.sql import functions as F

    declared = get_table(table)
    session = _session(con)
    where = str(path)
    try:
        frame = session.read.parquet(where)
    except Exception as exc:
        raise SparkStoreError(f"{where}: cannot be read as Parquet: {str(exc).splitlines()[0]}") from None
    _check_columns(where, declared, frame)
    required = [c.name for c in declared.columns if c.required and c.name in frame.columns]
    if required:
        nulls = frame.select(*[F.sum(F.col(f"`{n}`").isNull().cast("int")).alias(n) for n in required]).first()
        for name in required:
            if nulls[name]:
                raise SparkStoreError(f"{where}: column {name} (table {table}): rule required — {nulls[name]:,} "
                                      "empty value(s) 必填列有空值")
    typed = typed_frame(_with_missing_columns(frame, declared), declared)
    _check_primary_key(where, declared, typed, session.table(table))
    rows = typed.count()
    typed.write.insertInto(table)
    return rows


def _check_columns(where: str, declared: Table, frame) -> None:
    file_types = {field.name: field.dataType.simpleString() for field in frame.schema.fields}
    for name in file_types:
        if name not in declared.column_names:
            raise SparkStoreError(f"{where}: column {name}: rule columns — not a column of table {declared.name} "
                                  f"(columns: {', '.join(declared.column_names)}) 未知列")
    for column in declared.columns:
        if column.name not in file_types:
            if column.required:
                raise SparkStoreError(f"{where}: column {column.name}: rule columns — required column of table "
                                      f"{declared.name} is missing 缺少必填列")
            continue
        wanted, found = spark_type(column), file_types[column.name]
        if found not in ACCEPTED_FILE_TYPES[wanted]:
            raise SparkStoreError(f"{where}: column {column.name}: rule type — {found} in the file, table "
                                  f"{declared.name} stores {wanted} 类型不符")


def _with_missing_columns(frame, declared: Table):
    from pyspark.sql import functions as F

    for column in declared.columns:
        if column.name not in frame.columns:
            frame = frame.withColumn(column.name, F.lit(None).cast(spark_type(column)))
    return frame


def _check_primary_key(where: str, declared: Table, typed, existing) -> None:
    key = list(declared.primary_key)
    if not key:
        return
    from pyspark.sql import functions as F

    repeated = typed.groupBy(*key).count().filter(F.col("count") > 1).first()
    if repeated is not None:
        shown = ", ".join(f"{k}={repeated[k]!r}" for k in key)
        raise SparkStoreError(f"{where}: column {', '.join(key)}: rule primary_key — key ({shown}) occurs "
                              f"{repeated['count']} times 主键重复")
    clash = typed.select(*key).join(existing.select(*key), on=key, how="inner").first()
    if clash is not None:
        shown = ", ".join(f"{k}={clash[k]!r}" for k in key)
        raise SparkStoreError(f"{where}: column {', '.join(key)}: rule primary_key — key ({shown}) is already in "
                              f"table {declared.name} (Spark ingest appends; updates run in the DuckDB ingest) "
                              "主键已存在")
