"""Validated, all-or-nothing loading of a file into a store table.

Steps: stage the file as text → map headers → type → run every rule in the
engine → if anything fails, write the error report and raise (the store is
untouched) → otherwise, in one transaction, upsert the rows, record the
load in ``loads`` and its changes in ``load_changes`` (see
:mod:`jiqun.ingest.history`). A killed process leaves the store as it was:
DuckDB only makes a transaction durable at COMMIT.

In the default mode (``upsert``) a column the file does not have is left as
stored in existing rows (a partial update); ``replace_rows`` replaces whole
rows; a dry run computes the same changes and writes nothing.
"""

from __future__ import annotations

from .._duck import duckdb_connection, fetch_one, fetch_all

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
from .history import CHANGES, ChangeSummary, record_changes
from .arrange import SKIPPED, arrange
from .layout import SCAN_ROWS, detect_layout
from .outliers import OUTLIERS, outlier_checks
from .readers import (STAGE, Staged, arrow_sha256, detect_format, read_bytes_sha256, stage_arrow,
                      stage_csv, stage_parquet, stage_xlsx)
from .regions import REGION_NAMES
from .validate import PROBLEMS, TYPED, build_typed, raw_name, run_checks

#: Load modes. ``upsert``: new keys are inserted, existing keys get the file's columns (columns the
#: file lacks keep their stored values); ``replace_rows``: existing rows are replaced whole (columns
#: the file lacks become NULL or their default); ``insert``: an existing key is an error.
#: ``replace-rows`` is accepted for ``replace_rows``.
MODES = ("upsert", "replace_rows", "insert")


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
    #: Why the report is not beside the input file (see :func:`default_report_path`), else None.
    report_note: str | None = None
    dry_run: bool = False
    changes: ChangeSummary | None = None
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


def default_report_path(source: str) -> tuple[Path, str | None]:
    """Where the error report of ``source`` goes when no ``report_path`` is given, and a note when that
    is not beside the input file.

    Beside the input file (``NAME.errors-YYYYmmdd-HHMMSS.csv``); in the system temp folder when that
    folder is not writable or the data did not come from a file (an in-memory table). Never the
    current working directory.
    """
    import tempfile

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    name = f"{Path(source).stem or 'data'}.errors-{stamp}.csv"
    input_file = Path(source)
    if input_file.is_file():
        folder = input_file.absolute().parent
        if os.access(folder, os.W_OK | os.X_OK):
            return folder / name, None
        note = (f"the folder of {source} is not writable; the error report went to the temp folder "
                "输入文件所在文件夹不可写，错误报告写入临时文件夹")
    else:
        note = (f"{source} is not a file; the error report went to the temp folder "
                "数据不是文件，错误报告写入临时文件夹")
    return Path(tempfile.gettempdir()) / name, note


def _report_target(report_path: Path | None, source: str) -> tuple[Path, str | None]:
    """``report_path`` when given, else :func:`default_report_path` of ``source``."""
    return (Path(report_path), None) if report_path else default_report_path(source)


def ingest_file(con, path, table: str, *, mode: str = "upsert", quarantine: bool = False,
                vintage: str | None = None, report_path: Path | None = None, sheet=None,
                encoding: str | None = None, header_row: int | None = None,
                accept_outliers: bool = False, dry_run: bool = False) -> LoadResult:
    """Validate ``path`` and load it into ``table`` (all or nothing).

    Parameters
    ----------
    con : ibis DuckDB backend or duckdb connection
        The store (see :func:`jiqun.connect`).
    path : str or Path
        CSV (UTF-8, UTF-8 with BOM, GBK/GB18030, UTF-16 with BOM), XLSX or Parquet.
    table : str
        Target table; see ``jiqun.schema.TABLES``.
    mode : {"upsert", "replace_rows", "insert"}
        ``upsert``: a key already in the store is updated (counted in ``loads``) in the columns the
        file has; the other columns keep their stored values (a partial update).
        ``replace_rows`` (or ``replace-rows``): a key already in the store gets the file's whole row;
        columns the file lacks become NULL or their declared default.
        ``insert``: a key already in the store is an error.
    quarantine : bool
        Load the valid rows and put rejected rows in the ``quarantine`` table.
    vintage : str, optional
        Data vintage recorded in ``loads`` (e.g. "2023 statistical yearbook").
    report_path : Path, optional
        Where the full error report goes if the file is refused (default: beside the file, see
        :func:`default_report_path`; never the working directory).
    header_row : int, optional
        1-based file row of the header (CSV, XLSX); default: found automatically below title,
        unit and blank rows (see :mod:`jiqun.ingest.layout`).
    accept_outliers : bool
        Load values that fail the magnitude checks (:mod:`jiqun.ingest.outliers`); they are
        listed in ``LoadResult.accepted_outliers``. Default: such a file is refused.
    dry_run : bool
        Validate and compute the inserts, updates and changed cells exactly as a load would
        (``LoadResult.changes``), but write nothing: the store, ``loads`` and the history stay as
        they are.

    Returns
    -------
    LoadResult

    Raises
    ------
    IngestError
        The file was refused; the store is unchanged.
    """
    path = Path(path)
    mode = normalize_mode(mode)
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
                                  report_path, max_chars, started, accept_outliers, dry_run=dry_run)
    except IngestError as exc:
        _ensure_report(exc, report_path)
        raise
    finally:
        _drop_temps(db)


def ingest_table(con, data, table: str, *, source_name: str = "<memory>", mode: str = "upsert",
                 quarantine: bool = False, vintage: str | None = None,
                 report_path: Path | None = None, accept_outliers: bool = False,
                 dry_run: bool = False) -> LoadResult:
    """Validate an in-memory table (pyarrow, pandas, polars) and load it, as :func:`ingest_file`."""
    import pyarrow as pa

    mode = normalize_mode(mode)
    spec = _check_args(table, mode)
    started = time.perf_counter()
    db = duckdb_connection(con)
    if not isinstance(data, pa.Table):
        data = data.to_arrow() if hasattr(data, "to_arrow") else pa.Table.from_pandas(data, preserve_index=False)
    try:
        staged = stage_arrow(db, data)
        return _validate_and_load(db, spec, staged, source_name, arrow_sha256(data), mode, quarantine, vintage,
                                  report_path, settings.get_int("max_cell_chars"), started, accept_outliers,
                                  dry_run=dry_run)
    except IngestError as exc:
        _ensure_report(exc, report_path)
        raise
    finally:
        _drop_temps(db)


def _ensure_report(exc: IngestError, report_path: Path | None) -> None:
    """File-level refusals (format, encoding, headers) get a report too, like row-level ones."""
    if exc.report_path is None:
        target, exc.report_note = _report_target(report_path, exc.file)
        exc.report_path = write_report(exc.problems, target)


def normalize_mode(mode: str) -> str:
    """The spelling of ``mode`` in :data:`MODES` (``replace-rows`` → ``replace_rows``); unknown modes
    are returned unchanged (and refused by the loader)."""
    return mode.replace("-", "_") if isinstance(mode, str) else mode


def _check_args(table: str, mode: str) -> Table:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    spec = get_table(table)
    if spec.layer in ("meta", "result"):
        raise ValueError(f"table {table} is written by jiqun itself and cannot be loaded")
    return spec


def _drop_temps(db) -> None:
    for name in (STAGE, TYPED, PROBLEMS, "_jiqun_valid", CHANGES, OUTLIERS, SKIPPED, "_jiqun_stage_kept", REGION_NAMES):
        try:
            fetch_all(db, f"DROP TABLE IF EXISTS {name}")
        except Exception:  # a failed transaction may have to be rolled back first
            try:
                fetch_all(db, "ROLLBACK")
                fetch_all(db, f"DROP TABLE IF EXISTS {name}")
            except Exception:
                pass


def _validate_and_load(db, spec: Table, staged: Staged, source: str, checksum: str, mode: str,
                       quarantine: bool, vintage: str | None, report_path: Path | None, max_chars: int,
                       started: float, accept_outliers: bool = False, *, dry_run: bool = False) -> LoadResult:
    if staged.rows == 0:
        raise file_error(source, "no_rows", "only a header row", "只有表头")
    arranged = arrange(db, spec, staged, source)
    if staged.rows == 0:
        raise file_error(source, "no_rows", "only a header row and total or note rows", "只有表头和合计或注释行")
    mappings, ignored = arranged.mappings, arranged.ignored
    build_typed(db, spec, mappings, row_expr=staged.row_expr)
    present = {m.column.name for m in mappings}
    if mode == "upsert":
        merge_stored_values(db, spec, present)
    run_checks(db, spec, present, max_chars, mode)
    accepted = _outliers(db, spec, present, accept_outliers, source)
    counts = dict(fetch_all(db, f"SELECT rule, count(*) FROM {PROBLEMS} GROUP BY rule"))
    total = sum(counts.values())
    result = LoadResult(spec.name, source, staged.rows, file_format=staged.file_format,
                        encoding=staged.encoding, ignored_headers=ignored, dry_run=dry_run)
    _describe_layout(result, staged, arranged)
    result.accepted_outliers = accepted
    if total and not quarantine:
        report, note = _report_target(report_path, source)
        _write_report(db, source, report)
        preview_rows = settings.get_int("error_preview_rows")
        preview = [Problem(source, *row) for row in fetch_all(db,
            f"SELECT row, \"column\", value, rule, message_en, message_zh FROM {PROBLEMS} "
            f"ORDER BY row, rule LIMIT {preview_rows}")]
        refusal = IngestError(source, preview, counts, report, total)
        refusal.report_note = note
        raise refusal
    if total and not dry_run:
        result.report_path, result.report_note = _report_target(report_path, source)
        _write_report(db, source, result.report_path)
    _commit(db, spec, result, checksum, mode, vintage, quarantine and total > 0, present, dry_run)
    result.seconds = time.perf_counter() - started
    return result


def _outliers(db, spec: Table, present: set[str], accept: bool, source: str) -> list[Problem]:
    """Run the magnitude checks: problems (refused) unless ``accept``, then returned to be reported."""
    selects = outlier_checks(spec, present)
    if not selects:
        return []
    fetch_all(db, f"CREATE OR REPLACE TEMP TABLE {OUTLIERS} AS " + " UNION ALL ".join(selects))
    if not accept:
        fetch_all(db, f"INSERT INTO {PROBLEMS} SELECT * FROM {OUTLIERS}")
        return []
    rows = fetch_all(db, f"SELECT * FROM {OUTLIERS} ORDER BY 1")
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
    fetch_all(db, 
        f"COPY (SELECT ? AS file, row, \"column\", value, rule, message_en, message_zh FROM {PROBLEMS} "
        f"ORDER BY row, rule) TO '{str(path).replace(chr(39), chr(39) * 2)}' (HEADER, DELIMITER ',')",
        [source],
    )


def merge_stored_values(db, spec: Table, present: set[str]) -> None:
    """Partial update: in the typed file rows, give every column the file does not have the stored
    value of the row with the same key, so that the cross-field rules are checked, and the rows
    written, as they will be stored. Rows with a new key keep NULL or the
    column's default. The per-column checks still look only at the file's columns."""
    absent = [c.name for c in spec.input_columns if c.name not in present]
    if not absent or not spec.primary_key:
        return
    join = " AND ".join(f"s.{quote(k)} = v.{quote(k)}" for k in spec.primary_key)
    matched = f"s.{quote(spec.primary_key[0])} IS NOT NULL"
    # the _raw_ text of an absent column stays NULL (nothing arrived); messages show the typed value
    raws = [f"v.{raw_name(c.name)}" for c in spec.input_columns]
    typed = [f"v.{quote(c.name)}" if c.name in present else
             f"CASE WHEN {matched} THEN s.{quote(c.name)} ELSE v.{quote(c.name)} END AS {quote(c.name)}"
             for c in spec.input_columns]
    fetch_all(db, f"CREATE OR REPLACE TEMP TABLE {TYPED} AS SELECT v._row, {', '.join(raws + typed)} FROM {TYPED} v "
            f"LEFT JOIN {quote(spec.name)} s ON {join}")


def _count(db, result: LoadResult, changes: ChangeSummary, mode: str) -> bool:
    """Fill the counts of ``result`` from the changes; whether the load changes anything."""
    changes.mode, changes.source_file = mode, result.source_file
    result.changes = changes
    result.rows_inserted, result.rows_updated = changes.rows_inserted, changes.rows_updated
    result.rows_unchanged = fetch_one(db, "SELECT count(*) FROM _jiqun_valid")[0] - changes.rows_inserted - changes.rows_updated
    result.rows_rejected = fetch_one(db, f"SELECT count(DISTINCT row) FROM {PROBLEMS}")[0]
    # Same data again: the store stays exactly as it is (idempotent re-load).
    result.changed = bool(result.rows_inserted or result.rows_updated or result.rows_rejected)
    return result.changed


#: Columns of ``loads`` written by :func:`_record_load`.
LOADS_COLUMNS = ("load_id, source_file, sha256, table_name, file_format, encoding, mode, rows_in_file, "
                 "rows_inserted, rows_updated, rows_unchanged, rows_rejected, loaded_at, vintage, user_name, "
                 "jiqun_version")


def _record_load(db, load_id: int, table: str, result: LoadResult, checksum: str, mode: str,
                 vintage: str | None) -> None:
    """Insert the load's row into ``loads``: the last statement of a load's transaction, before COMMIT."""
    from .._version import __version__

    fetch_all(db, f"INSERT INTO loads ({LOADS_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              [load_id, result.source_file, checksum, table, result.file_format, result.encoding, mode,
               result.rows_in_file, result.rows_inserted, result.rows_updated, result.rows_unchanged,
               result.rows_rejected, dt.datetime.now(dt.timezone.utc).replace(tzinfo=None), vintage,
               settings.get("user"), __version__])


def _commit(db, spec: Table, result: LoadResult, checksum: str, mode: str, vintage: str | None,
            with_quarantine: bool, present: set[str] | None = None, dry_run: bool = False) -> None:
    cols = [c.name for c in spec.input_columns]  # the firm-key columns are filled below, not read
    present = set(cols) if present is None else present
    # upsert compares (and changes) only the file's columns; the others were merged from the store
    # (merge_stored_values)
    compared = [c for c in cols if mode != "upsert" or c in present]
    col_list = ", ".join(quote(c) for c in cols)
    fetch_all(db, f"CREATE OR REPLACE TEMP TABLE _jiqun_valid AS SELECT _row, {col_list} FROM {TYPED} "
            f"WHERE _row NOT IN (SELECT row FROM {PROBLEMS})")
    if dry_run:
        _count(db, result, record_changes(db, spec, "_jiqun_valid", compared, None), mode)
        return
    join = " AND ".join(f"t.{quote(k)} = v.{quote(k)}" for k in spec.primary_key)
    v_row = ", ".join(f"v.{quote(c)}" for c in cols)
    key_exprs, key_joins = keyed_select(spec.name, "v")
    order = load_order(spec.name, "v")
    target_cols = ", ".join([col_list] + [quote(c.name) for c in spec.key_columns])
    values = ", ".join([v_row] + key_exprs)
    fetch_all(db, "BEGIN TRANSACTION")
    try:
        load_id = fetch_one(db, "SELECT coalesce(max(load_id), 0) + 1 FROM loads")[0]
        # the history (old values) is written first, in the load's transaction
        if not _count(db, result, record_changes(db, spec, "_jiqun_valid", compared, load_id), mode):
            fetch_all(db, "ROLLBACK")
            return
        inserted, updated = result.rows_inserted, result.rows_updated
        if spec.key_columns:  # new USCCs get their firm keys in the same transaction as the rows
            register_firm_keys(db, "_jiqun_valid", [c.key_of for c in spec.key_columns])
        if updated:
            fetch_all(db, f"DELETE FROM {quote(spec.name)} t USING _jiqun_valid v WHERE {join}")
            fetch_all(db, f"INSERT INTO {quote(spec.name)} ({target_cols}) SELECT {values} FROM _jiqun_valid v "
                       f"{key_joins} ORDER BY {order}")
        elif inserted:
            fetch_all(db, f"INSERT INTO {quote(spec.name)} ({target_cols}) SELECT {values} FROM _jiqun_valid v "
                       f"{key_joins} WHERE NOT EXISTS (SELECT 1 FROM {quote(spec.name)} t WHERE {join}) "
                       f"ORDER BY {order}")
        if with_quarantine:
            raw_cols = ", ".join(f"'{c}', \"_raw_{c}\"" for c in cols)
            fetch_all(db, 
                f"INSERT INTO quarantine SELECT ?, ?, ?, t._row, CAST(json_object({raw_cols}) AS VARCHAR), "
                f"p.rules, p.messages FROM {TYPED} t JOIN (SELECT row, string_agg(DISTINCT rule, ';') AS rules, "
                f"string_agg(message_en || ' [' || \"column\" || ']', '; ') AS messages FROM {PROBLEMS} "
                f"GROUP BY row) p ON p.row = t._row",
                [load_id, spec.name, result.source_file],
            )
        # the last write of the transaction: the load's own row (then COMMIT)
        _record_load(db, load_id, spec.name, result, checksum, mode, vintage)
        fetch_all(db, "COMMIT")
    except BaseException:
        fetch_all(db, "ROLLBACK")
        raise
    result.load_id = load_id
