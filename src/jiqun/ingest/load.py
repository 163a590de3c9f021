"""Validated, all-or-nothing loading of a file into a store table.

Steps: stage the file as text → map headers → type → run every rule in the
engine → if anything fails, write the error report and raise (the store is
untouched) → otherwise, in one transaction, upsert the rows and record the
load in ``loads``. A killed process leaves the store as it was: DuckDB only
makes a transaction durable at COMMIT.
"""

from __future__ import annotations

from .._duck import duckdb_connection, one, run

import datetime as dt
import os
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from .. import settings
from ..schema import get_table
from ..schema.ddl import quote
from ..schema.model import Table
from ..store.keys import keyed_select, load_order, register_firm_keys
from .errors import IngestError, Problem, file_error, write_report
from .arrange import SKIPPED, arrange
from .layout import SCAN_ROWS, detect_layout
from .outliers import OUTLIERS, outlier_checks
from .readers import (STAGE, Staged, arrow_sha256, detect_format, read_bytes_sha256, stage_arrow,
                      stage_csv, stage_parquet, stage_xlsx)
from .validate import PROBLEMS, TYPED, build_typed, run_checks

MODES = ("upsert", "insert")
#: Testing seam: seconds to sleep inside the open transaction (crash-safety test).
_PAUSE_ENV = "JIQUN_TEST_PAUSE_BEFORE_COMMIT"


@dataclass
class LoadResult:
    """What a load did."""

    table: str
    source_file: str
    rows_in_file: int
    rows_inserted: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    rows_rejected: int = 0
    load_id: int | None = None
    changed: bool = True
    file_format: str = ""
    encoding: str | None = None
    ignored_headers: list[str] = field(default_factory=list)
    seconds: float = 0.0
    report_path: Path | None = None
    #: File row (1-based) of the header; two-row headers give the first of ``header_rows``.
    header_row: int | None = None
    header_rows: list[int] = field(default_factory=list)
    #: Columns read: (header in the file, stored column, factor to the stored unit).
    columns_read: list[tuple[str, str, float]] = field(default_factory=list)
    #: Unit line above the header (e.g. "row 2: 单位：万元") and the money columns it was applied to.
    unit_source: str | None = None
    unit_applied_to: list[str] = field(default_factory=list)
    #: Total rows, note lines and blank rows recognised and not loaded (:class:`~jiqun.ingest.arrange.SkippedRow`).
    skipped_rows: list = field(default_factory=list)
    #: Outliers loaded anyway (``accept_outliers=True``), as :class:`Problem`.
    accepted_outliers: list[Problem] = field(default_factory=list)

    @property
    def rows_per_second(self) -> float:
        return self.rows_in_file / self.seconds if self.seconds else float("inf")


def default_report_path(source: str) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path.cwd() / f"{Path(source).stem}.errors-{stamp}.csv"


def ingest_file(con, path, table: str, *, mode: str = "upsert", quarantine: bool = False,
                vintage: str | None = None, report_path: Path | None = None, sheet=None,
                encoding: str | None = None, header_row: int | None = None,
                accept_outliers: bool = False) -> LoadResult:
    """Validate ``path`` and load it into ``table`` (all or nothing).

    Parameters
    ----------
    con : ibis DuckDB backend or duckdb connection
        The store (see :func:`jiqun.connect`).
    path : str or Path
        CSV (UTF-8, UTF-8 with BOM, GBK/GB18030, UTF-16 with BOM), XLSX or Parquet.
    table : str
        Target table; see ``jiqun.schema.TABLES``.
    mode : {"upsert", "insert"}
        ``upsert``: a key already in the store is updated (counted in ``loads``).
        ``insert``: a key already in the store is an error.
    quarantine : bool
        Load the valid rows and put rejected rows in the ``quarantine`` table.
    vintage : str, optional
        Data vintage recorded in ``loads`` (e.g. "2023 statistical yearbook").
    report_path : Path, optional
        Where the full error report goes if the file is refused.
    header_row : int, optional
        1-based file row of the header (CSV, XLSX); default: found automatically below title,
        unit and blank rows (see :mod:`jiqun.ingest.layout`).
    accept_outliers : bool
        Load values that fail the magnitude checks (:mod:`jiqun.ingest.outliers`); they are
        listed in ``LoadResult.accepted_outliers``. Default: such a file is refused.

    Returns
    -------
    LoadResult

    Raises
    ------
    IngestError
        The file was refused; the store is unchanged.
    """
    path = Path(path)
    spec = _check_args(table, mode)
    started = time.perf_counter()
    db = duckdb_connection(con)
    max_chars = settings.get_int("max_cell_chars")
    try:
        if not path.exists():
            raise file_error(str(path), "unreadable", "no such file", "文件不存在")
        fmt = detect_format(path)
        locate = partial(detect_layout, spec, file=str(path), header_row=header_row)
        head = max(SCAN_ROWS, header_row or 0) + 2
        if fmt == "csv":
            staged = stage_csv(db, path, encoding, settings.get("temp_dir") or None, max_chars, locate=locate,
                               head_rows=head)
        elif fmt == "xlsx":
            staged = stage_xlsx(db, path, sheet, locate=locate, head_rows=head)
        else:
            if header_row is not None:
                raise file_error(str(path), "format", "--header-row applies to CSV and Excel files only",
                                 "--header-row 仅适用于CSV和Excel文件")
            staged = stage_parquet(db, path)
        checksum = read_bytes_sha256(path)
        return _validate_and_load(db, spec, staged, str(path), checksum, mode, quarantine, vintage,
                                  report_path, max_chars, started, accept_outliers)
    except IngestError as exc:
        _ensure_report(exc, report_path)
        raise
    finally:
        _drop_temps(db)


def ingest_table(con, data, table: str, *, source_name: str = "<memory>", mode: str = "upsert",
                 quarantine: bool = False, vintage: str | None = None,
                 report_path: Path | None = None, accept_outliers: bool = False) -> LoadResult:
    """Validate an in-memory table (pyarrow, pandas, polars) and load it, as :func:`ingest_file`."""
    import pyarrow as pa

    spec = _check_args(table, mode)
    started = time.perf_counter()
    db = duckdb_connection(con)
    if not isinstance(data, pa.Table):
        data = data.to_arrow() if hasattr(data, "to_arrow") else pa.Table.from_pandas(data, preserve_index=False)
    try:
        staged = stage_arrow(db, data)
        return _validate_and_load(db, spec, staged, source_name, arrow_sha256(data), mode, quarantine, vintage,
                                  report_path, settings.get_int("max_cell_chars"), started, accept_outliers)
    except IngestError as exc:
        _ensure_report(exc, report_path)
        raise
    finally:
        _drop_temps(db)


def _ensure_report(exc: IngestError, report_path: Path | None) -> None:
    """File-level refusals (format, encoding, headers) get a report too, like row-level ones."""
    if exc.report_path is None:
        exc.report_path = write_report(exc.problems, Path(report_path or default_report_path(exc.file)))


def _check_args(table: str, mode: str) -> Table:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    spec = get_table(table)
    if spec.layer in ("meta", "result"):
        raise ValueError(f"table {table} is written by jiqun itself and cannot be loaded")
    return spec


def _drop_temps(db) -> None:
    for name in (STAGE, TYPED, PROBLEMS, "_jiqun_valid", OUTLIERS, SKIPPED, "_jiqun_stage_kept"):
        try:
            run(db, f"DROP TABLE IF EXISTS {name}")
        except Exception:  # a failed transaction may have to be rolled back first
            try:
                run(db, "ROLLBACK")
                run(db, f"DROP TABLE IF EXISTS {name}")
            except Exception:
                pass


def _validate_and_load(db, spec: Table, staged: Staged, source: str, checksum: str, mode: str,
                       quarantine: bool, vintage: str | None, report_path: Path | None, max_chars: int,
                       started: float, accept_outliers: bool = False) -> LoadResult:
    if staged.rows == 0:
        raise file_error(source, "no_rows", "only a header row", "只有表头")
    arranged = arrange(db, spec, staged, source)
    if staged.rows == 0:
        raise file_error(source, "no_rows", "only a header row and total or note rows", "只有表头和合计或注释行")
    mappings, ignored = arranged.mappings, arranged.ignored
    build_typed(db, spec, mappings, row_expr=staged.row_expr)
    present = {m.column.name for m in mappings}
    run_checks(db, spec, present, max_chars, mode)
    accepted = _outliers(db, spec, present, accept_outliers, source)
    counts = dict(run(db, f"SELECT rule, count(*) FROM {PROBLEMS} GROUP BY rule"))
    total = sum(counts.values())
    result = LoadResult(spec.name, source, staged.rows, file_format=staged.file_format,
                        encoding=staged.encoding, ignored_headers=ignored)
    _describe_layout(result, staged, arranged)
    result.accepted_outliers = accepted
    if total and not quarantine:
        report = report_path or default_report_path(source)
        _write_report(db, source, report)
        preview_rows = settings.get_int("error_preview_rows")
        preview = [Problem(source, *row) for row in run(db, 
            f"SELECT row, \"column\", value, rule, message_en, message_zh FROM {PROBLEMS} "
            f"ORDER BY row, rule LIMIT {preview_rows}")]
        raise IngestError(source, preview, counts, report, total)
    if total:
        result.report_path = report_path or default_report_path(source)
        _write_report(db, source, result.report_path)
    _commit(db, spec, result, checksum, mode, vintage, quarantine and total > 0)
    result.seconds = time.perf_counter() - started
    return result


def _outliers(db, spec: Table, present: set[str], accept: bool, source: str) -> list[Problem]:
    """Run the magnitude checks: problems (refused) unless ``accept``, then returned to be reported."""
    selects = outlier_checks(spec, present)
    if not selects:
        return []
    run(db, f"CREATE OR REPLACE TEMP TABLE {OUTLIERS} AS " + " UNION ALL ".join(selects))
    if not accept:
        run(db, f"INSERT INTO {PROBLEMS} SELECT * FROM {OUTLIERS}")
        return []
    rows = run(db, f"SELECT * FROM {OUTLIERS} ORDER BY 1")
    return [Problem(source, *row) for row in rows]


def _describe_layout(result: LoadResult, staged: Staged, arranged) -> None:
    """Copy what the header detection found into the load report."""
    layout = staged.layout
    result.columns_read = [(m.header, m.column.name, m.factor) for m in arranged.mappings]
    result.skipped_rows = arranged.skipped
    result.unit_applied_to = arranged.unit_applied_to
    if layout is None:
        result.header_row, result.header_rows = (1, [1]) if staged.file_format != "arrow" else (None, [])
        return
    result.header_row = layout.header_row
    result.header_rows = list(range(layout.header_row, layout.first_data_row))
    result.unit_source = layout.unit_source


def _write_report(db, source: str, path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    run(db, 
        f"COPY (SELECT ? AS file, row, \"column\", value, rule, message_en, message_zh FROM {PROBLEMS} "
        f"ORDER BY row, rule) TO '{str(path).replace(chr(39), chr(39) * 2)}' (HEADER, DELIMITER ',')",
        [source],
    )


def _commit(db, spec: Table, result: LoadResult, checksum: str, mode: str, vintage: str | None,
            with_quarantine: bool) -> None:
    from .. import __version__

    cols = [c.name for c in spec.input_columns]  # the firm-key columns are filled below, not read
    col_list = ", ".join(quote(c) for c in cols)
    keys = spec.primary_key
    run(db, f"CREATE OR REPLACE TEMP TABLE _jiqun_valid AS SELECT _row, {col_list} FROM {TYPED} "
               f"WHERE _row NOT IN (SELECT row FROM {PROBLEMS})")
    join = " AND ".join(f"t.{quote(k)} = v.{quote(k)}" for k in keys)
    v_row = ", ".join(f"v.{quote(c)}" for c in cols)
    t_row = ", ".join(f"t.{quote(c)}" for c in cols)
    inserted, updated, unchanged = one(db, 
        f"SELECT count(*) FILTER (WHERE t.{quote(keys[0])} IS NULL), "
        f"count(*) FILTER (WHERE t.{quote(keys[0])} IS NOT NULL AND ({v_row}) IS DISTINCT FROM ({t_row})), "
        f"count(*) FILTER (WHERE t.{quote(keys[0])} IS NOT NULL AND ({v_row}) IS NOT DISTINCT FROM ({t_row})) "
        f"FROM _jiqun_valid v LEFT JOIN {quote(spec.name)} t ON {join}"
    )
    rejected = one(db, f"SELECT count(DISTINCT row) FROM {PROBLEMS}")[0]
    result.rows_inserted, result.rows_updated, result.rows_unchanged = inserted, updated, unchanged
    result.rows_rejected = rejected
    if inserted == 0 and updated == 0 and rejected == 0:
        # Same data again: the store stays exactly as it is (idempotent re-load).
        result.changed = False
        return
    key_exprs, key_joins = keyed_select(spec.name, "v")
    order = load_order(spec.name, "v")
    target_cols = ", ".join([col_list] + [quote(c.name) for c in spec.key_columns])
    values = ", ".join([v_row] + key_exprs)
    run(db, "BEGIN TRANSACTION")
    try:
        if spec.key_columns:  # new USCCs get their firm keys in the same transaction as the rows
            register_firm_keys(db, "_jiqun_valid", [c.key_of for c in spec.key_columns])
        if updated:
            run(db, f"DELETE FROM {quote(spec.name)} t USING _jiqun_valid v WHERE {join}")
            run(db, f"INSERT INTO {quote(spec.name)} ({target_cols}) SELECT {values} FROM _jiqun_valid v "
                       f"{key_joins} ORDER BY {order}")
        elif inserted:
            run(db, f"INSERT INTO {quote(spec.name)} ({target_cols}) SELECT {values} FROM _jiqun_valid v "
                       f"{key_joins} WHERE NOT EXISTS (SELECT 1 FROM {quote(spec.name)} t WHERE {join}) "
                       f"ORDER BY {order}")
        load_id = one(db, "SELECT coalesce(max(load_id), 0) + 1 FROM loads")[0]
        run(db, 
            "INSERT INTO loads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [load_id, result.source_file, checksum, spec.name, result.file_format, result.encoding, mode,
             result.rows_in_file, inserted, updated, unchanged, rejected,
             dt.datetime.now(dt.timezone.utc).replace(tzinfo=None), vintage, settings.get("user"), __version__],
        )
        if with_quarantine:
            raw_cols = ", ".join(f"'{c}', \"_raw_{c}\"" for c in cols)
            run(db, 
                f"INSERT INTO quarantine SELECT ?, ?, ?, t._row, CAST(json_object({raw_cols}) AS VARCHAR), "
                f"p.rules, p.messages FROM {TYPED} t JOIN (SELECT row, string_agg(DISTINCT rule, ';') AS rules, "
                f"string_agg(message_en || ' [' || \"column\" || ']', '; ') AS messages FROM {PROBLEMS} "
                f"GROUP BY row) p ON p.row = t._row",
                [load_id, spec.name, result.source_file],
            )
        pause = os.environ.get(_PAUSE_ENV)
        if pause:
            print(f"JIQUN-PAUSED {os.getpid()}", flush=True)
            time.sleep(float(pause))
        run(db, "COMMIT")
    except BaseException:
        run(db, "ROLLBACK")
        raise
    result.load_id = load_id
