"""Open (and create or upgrade) a jiqun store."""

from __future__ import annotations

from .._duck import duckdb_connection, fetch_one, fetch_all

import datetime as dt
from pathlib import Path

from .. import settings
from ..schema import TABLES, create_table_sql
from .files import check_store_path, lock_message
from .waiting import is_lock_error, open_shared
from .migrations import MIGRATIONS, SCHEMA_VERSION

META = "jiqun_meta"


class StoreError(RuntimeError):
    """The store cannot be opened as asked (wrong URL, foreign or newer file, drifted schema)."""


def parse_url(url: str | Path | None) -> tuple[str, str]:
    """Split a store URL into (backend, location).

    ``None`` means the ``db`` setting (``JIQUN_DB``, default ``jiqun.duckdb``).
    Accepted: a file path, ``duckdb:///path/to/file.duckdb``, ``duckdb://:memory:``,
    ``spark://MASTER`` (e.g. ``spark://local[2]``; ``spark://`` means ``local[*]``).
    """
    text = str(url) if url is not None else settings.get("db")
    if "://" not in text:
        return "duckdb", text
    scheme, _, rest = text.partition("://")
    if scheme == "spark":
        return "spark", rest or "local[*]"
    if scheme != "duckdb":
        raise StoreError(f"store URL {text!r}: backend {scheme!r} is not supported (supported: duckdb://, spark://)")
    return "duckdb", rest or ":memory:"


def connect(url: str | Path | None = None, *, create: bool = True, read_only: bool = False):
    """Open a jiqun store and return its ibis connection.

    Parameters
    ----------
    url : str, Path or pyspark.sql.SparkSession, optional
        DuckDB file path or ``duckdb://`` URL; default: the ``db`` setting. A ``spark://MASTER`` URL
        or a running SparkSession opens a Spark store instead (:func:`jiqun.store.spark.connect_spark`;
        ``create`` and ``read_only`` do not apply).
    create : bool
        Create a store that does not exist yet (its tables empty: :func:`jiqun.connect` also fills the
        shipped reference catalogue).
    read_only : bool
        Open without write access (several readers may share a file).

    Returns
    -------
    ibis.backends.duckdb.Backend or ibis.backends.pyspark.Backend

    Raises
    ------
    StoreError
        The path is a folder or a file that is not a DuckDB database (a CSV, an Excel
        workbook …); the file is not a jiqun store, was written by a newer jiqun, or is locked
        by another process (the message names it); or it does not exist and ``create`` is
        false, ``read_only`` is true or its name does not end in ``.duckdb``.
    """
    import ibis

    from .spark import SparkStoreError, connect_spark, is_spark_session

    if is_spark_session(url):
        backend, location = "spark", url
    else:
        backend, location = parse_url(url)
    if backend == "spark":
        try:
            return connect_spark(location)
        except SparkStoreError as exc:
            raise StoreError(str(exc)) from None
    if location != ":memory:":
        path = Path(location)
        check_store_path(path, create=create and not read_only)
        if path.parent and not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
    wait = _lock_wait() if location != ":memory:" else 0.0
    try:
        # Another process holding the file (the web server reading, a load writing) is waited for.
        con = open_shared(lambda: ibis.duckdb.connect(location, read_only=read_only), Path(location), read_only, wait)
    except Exception as exc:  # duckdb.IOException and friends: say what it means for the user
        if is_lock_error(exc):
            raise StoreError(lock_message(location, str(exc), wait)) from None
        raise StoreError(f"cannot open {location}: {str(exc).splitlines()[0]}") from None
    con._jiqun_location = location  # for error messages
    try:
        _apply_engine_settings(con.con)
        if read_only:
            _check_version(con.con, location, upgrade=False)
        else:
            initialize(con)
    except BaseException:
        con.disconnect()  # release the file lock before reporting
        raise
    return con


def _lock_wait() -> float:
    """The ``lock_wait`` setting in seconds (a bad value is refused with the fix)."""
    from ..settings import get

    text = get("lock_wait")
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:
        raise StoreError(f"JIQUN_LOCK_WAIT={text!r} is not a number of seconds ≥ 0: set e.g. 30, or 0 to fail "
                         "at once")
    return seconds


#: Ceiling of the ``auto`` memory limit.
AUTO_MEMORY_CAP_BYTES = 6 * 10**9


def auto_memory_limit() -> str:
    """The ``auto`` memory limit: half the physical RAM, at most 6 GB ("" = DuckDB's default when the
    RAM cannot be read)."""
    import os

    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # e.g. Windows: no sysconf
        return ""
    return f"{min(AUTO_MEMORY_CAP_BYTES, ram // 2) // 10**6}MB"


def _apply_engine_settings(db) -> None:
    """Apply the ``memory_limit`` and ``threads`` settings (JIQUN_MEMORY_LIMIT, JIQUN_THREADS)."""
    import re

    # DuckDB's progress bar would draw over the CLI's own output (and into redirected logs).
    fetch_all(db, "SET enable_progress_bar = false")

    memory = settings.get("memory_limit").strip()
    if memory.lower() == "auto":
        memory = auto_memory_limit()
    if memory:
        if not re.fullmatch(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", memory, flags=re.IGNORECASE):
            raise StoreError(f"memory_limit {memory!r} (JIQUN_MEMORY_LIMIT) must look like 6GB or 512MB")
        fetch_all(db, f"SET memory_limit = '{memory}'")
    threads = settings.get("threads").strip()
    if threads:
        if not threads.isdigit() or int(threads) < 1:
            raise StoreError(f"threads {threads!r} (JIQUN_THREADS) must be a positive whole number")
        fetch_all(db, f"SET threads = {int(threads)}")


def _existing_tables(db) -> set[str]:
    rows = fetch_all(db, 
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE'"
    )
    return {r[0] for r in rows}


def read_meta(con, key: str) -> str | None:
    """The value of ``key`` in the store's ``jiqun_meta`` table (None when absent)."""
    return _meta(duckdb_connection(con), key)


def write_meta(con, key: str, value: str) -> None:
    """Set ``key`` to ``value`` in the store's ``jiqun_meta`` table."""
    _set_meta(duckdb_connection(con), key, value)


def _meta(db, key: str) -> str | None:
    row = fetch_one(db, f"SELECT value FROM {META} WHERE key = ?", [key])
    return row[0] if row else None


def _set_meta(db, key: str, value: str) -> None:
    fetch_all(db, f"DELETE FROM {META} WHERE key = ?", [key])
    fetch_all(db, f"INSERT INTO {META} VALUES (?, ?)", [key, value])


def _check_version(db, location: str, upgrade: bool) -> int:
    existing = _existing_tables(db)
    if META not in existing:
        if existing:
            raise StoreError(f"{location} holds tables but is not a jiqun store (no {META} table) "
                             "该 DuckDB 文件不是 jiqun 数据库")
        if not upgrade:
            raise StoreError(f"{location} is an empty DuckDB database, not a jiqun store yet; run "
                             f"`jiqun init --db {location}` to make it one 该 DuckDB 文件为空，请先运行 jiqun init")
        return 0
    version = int(_meta(db, "schema_version") or 0)
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{location} has schema version {version}, newer than this jiqun ({SCHEMA_VERSION}); "
            "upgrade jiqun (pip install -U jiqun)"
        )
    if version < SCHEMA_VERSION and not upgrade:
        raise StoreError(f"{location} has schema version {version}; open it writable once to upgrade it "
                         f"to {SCHEMA_VERSION}")
    return version


def initialize(con) -> None:
    """Create or upgrade a store so that it matches this jiqun's schema (its tables stay as they are;
    :func:`jiqun.connect` fills the shipped reference catalogue)."""
    from .._version import __version__

    db = duckdb_connection(con)
    location = str(getattr(con, "_jiqun_location", "store"))
    version = _check_version(db, location, upgrade=True)
    if version == 0:
        fetch_all(db, "BEGIN TRANSACTION")
        try:
            fetch_all(db, f"CREATE TABLE {META} (key VARCHAR NOT NULL, value VARCHAR)")
            for table in TABLES.values():
                fetch_all(db, create_table_sql(table))
            _set_meta(db, "schema_version", str(SCHEMA_VERSION))
            _set_meta(db, "created_at", dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
            _set_meta(db, "created_by", f"jiqun {__version__}")
            fetch_all(db, "COMMIT")
        except BaseException:
            fetch_all(db, "ROLLBACK")
            raise
    else:
        for migration in MIGRATIONS:
            if migration.version > version:
                fetch_all(db, "BEGIN TRANSACTION")
                try:
                    migration.apply(db)
                    _set_meta(db, "schema_version", str(migration.version))
                    fetch_all(db, "COMMIT")
                except BaseException as exc:
                    fetch_all(db, "ROLLBACK")
                    raise StoreError(f"upgrade to schema version {migration.version} failed: {exc}") from exc
    _check_drift(db)


def _check_drift(db) -> None:
    """Refuse a store whose tables do not have the declared columns."""
    existing = _existing_tables(db)
    for table in TABLES.values():
        if table.name not in existing:
            raise StoreError(f"store is missing table {table.name}; it was not created by this jiqun version")
        cols = [r[0] for r in fetch_all(db, 
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
            [table.name])]
        if cols != table.column_names:
            raise StoreError(f"table {table.name} has columns {cols}, expected {table.column_names}")
