"""Read CSV, XLSX, Parquet files (or Arrow tables) into an all-text staging table.

Nothing is inferred from the data: every cell is staged as text and typed
later by the declared schema (:mod:`jiqun.ingest.validate`). Staging columns
are named ``c0 … cN`` by position; the original headers are returned beside.

Encodings: UTF-8 (with or without BOM) is read in place; GBK/GB18030 and
UTF-16 (with BOM) are transcoded to a temporary UTF-8 file in streaming
chunks, because DuckDB's CSV reader only reads UTF-8 without extensions,
and extensions cannot be downloaded on isolated networks.
"""

from __future__ import annotations

from .._duck import one, run

import codecs
import csv
import datetime as dt
import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import file_error

CHUNK = 8 * 1024 * 1024
DELIMITERS = (",", "\t", ";", "|")
STAGE = "_jiqun_stage"


@dataclass
class Staged:
    """What a reader leaves behind: a temp table ``STAGE`` and the file's facts."""

    headers: list[str]
    rows: int
    file_format: str
    encoding: str | None


def detect_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return "csv"
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return "xlsx"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise file_error(str(path), "format", f"unknown file type {suffix!r}; use .csv, .xlsx or .parquet",
                     f"未知文件类型 {suffix!r}；请使用 .csv、.xlsx 或 .parquet")


def _line_of_offset(path: Path, offset: int) -> int:
    with open(path, "rb") as fh:
        return fh.read(offset).count(b"\n") + 1


def _decodes(path: Path, encoding: str, skip: int = 0) -> int | None:
    """Return None if the whole file decodes with ``encoding``, else the bad byte offset."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = skip
    with open(path, "rb") as fh:
        fh.seek(skip)
        while chunk := fh.read(CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return offset + exc.start
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return offset
    return None


def _transcode(path: Path, encoding: str, skip: int, temp_dir: str | None) -> Path:
    fd, name = tempfile.mkstemp(suffix=".csv", prefix="jiqun-", dir=temp_dir or None)
    decoder = codecs.getincrementaldecoder(encoding)()
    with open(path, "rb") as src, os.fdopen(fd, "wb") as dst:
        src.seek(skip)
        while chunk := src.read(CHUNK):
            dst.write(decoder.decode(chunk).encode("utf-8"))
        dst.write(decoder.decode(b"", final=True).encode("utf-8"))
    return Path(name)


def prepare_text(path: Path, encoding: str | None = None, temp_dir: str | None = None) -> tuple[Path, str, bool]:
    """Return a UTF-8 file to read, the source encoding, and whether it is a temp copy.

    Raises
    ------
    IngestError
        ``empty_file`` or ``encoding`` problems.
    """
    size = path.stat().st_size
    if size == 0:
        raise file_error(str(path), "empty_file")
    with open(path, "rb") as fh:
        head = fh.read(4)
    if encoding is None:
        if head.startswith(codecs.BOM_UTF8):
            candidates = ["utf-8-sig"]
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            candidates = ["utf-16"]
        else:
            candidates = ["utf-8", "gb18030"]
    else:
        candidates = [encoding]
    bad_offset = None
    for enc in candidates:
        skip = 3 if enc == "utf-8-sig" else 0
        check_enc = "utf-8" if enc == "utf-8-sig" else enc
        bad_offset = _decodes(path, check_enc, skip)
        if bad_offset is None:
            if enc in ("utf-8", "utf-8-sig"):
                # DuckDB skips a UTF-8 BOM itself: read in place.
                return path, enc, False
            return _transcode(path, enc, 0, temp_dir), enc, True
    line = _line_of_offset(path, bad_offset or 0)
    tried = " or ".join(candidates)
    raise file_error(
        str(path), "encoding",
        f"byte {bad_offset} (line {line}) is not valid {tried}; save the file as UTF-8 or GBK",
        f"第{line}行（字节{bad_offset}）不是有效的 {tried} 编码；请另存为UTF-8或GBK",
        row=line,
    )


def _header_line(path: Path) -> str:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for line in fh:
            if line.strip():
                return line
    return ""


def _pick_delimiter(line: str) -> str:
    counts = {d: len(next(csv.reader([line], delimiter=d))) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: (counts[d], d == ","))


_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")


def stage_csv(con, path: Path, encoding: str | None = None, temp_dir: str | None = None,
              max_cell_chars: int = 10000) -> Staged:
    """Stage a CSV file as the temp table ``STAGE`` (all VARCHAR)."""
    text_path, used_encoding, is_temp = prepare_text(path, encoding, temp_dir)
    try:
        line = _header_line(text_path)
        if not line.strip():
            raise file_error(str(path), "empty_file", "no header row", "没有表头行")
        delim = _pick_delimiter(line)
        headers = next(csv.reader([line.rstrip("\r\n")], delimiter=delim))
        columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(headers))) + "}"
        # max_line_size bounds memory on a runaway quote; huge cells beyond it are parse errors.
        max_line = max(4 * max_cell_chars * max(len(headers), 1), 2_097_152)
        sql = (
            f"CREATE OR REPLACE TEMP TABLE {STAGE} AS SELECT * FROM read_csv(?, header=true, "
            f"auto_detect=false, columns={columns}, delim=?, quote='\"', escape='\"', "
            f"strict_mode=true, null_padding=false, max_line_size={max_line})"
        )
        try:
            run(con, sql, [str(text_path), delim])
        except Exception as exc:  # duckdb.Error subclasses differ across versions
            message = str(exc)
            match = _CSV_LINE.search(message)
            row = int(match.group(1)) if match else None
            reason = _csv_reason(message)
            raise file_error(str(path), "parse", reason, reason, row=row) from None
        rows = one(con, f"SELECT count(*) FROM {STAGE}")[0]
        return Staged(headers, rows, "csv", used_encoding)
    finally:
        if is_temp:
            text_path.unlink(missing_ok=True)


def _csv_reason(message: str) -> str:
    lines = [ln.strip() for ln in message.splitlines() if ln.strip()]
    for ln in lines:
        if ln.startswith(("Value with unterminated quote", "Expected Number of Columns", "Maximum line size",
                          "Invalid unicode")):
            return ln
    for ln in lines:
        if "Error" in ln:
            return ln[:300]
    return (lines[0] if lines else message)[:300]


def _cell_text(value) -> str | None:
    """Render a typed spreadsheet cell as the text a CSV would have held."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    text = str(value)
    return text if text != "" else None


def stage_xlsx(con, path: Path, sheet: str | int | None = None) -> Staged:
    """Stage the first (or the named) sheet of an Excel workbook."""
    import pyarrow as pa
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise file_error(str(path), "unreadable", f"not a readable Excel workbook ({exc})",
                         f"不是可读取的Excel工作簿（{exc}）") from None
    names = workbook.sheet_names
    if not names:
        raise file_error(str(path), "empty_file", "the workbook has no sheet", "工作簿没有工作表")
    if sheet is None:
        target = names[0]
    elif isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit()):
        if int(sheet) >= len(names):
            raise file_error(str(path), "unreadable", f"no sheet number {sheet} (numbered from 0; sheets: "
                             f"{', '.join(names)})", f"没有第 {sheet} 号工作表（从 0 开始编号）")
        target = names[int(sheet)]
    elif sheet in names:
        target = sheet
    else:
        raise file_error(str(path), "unreadable", f"no sheet named {sheet!r} (sheets: {', '.join(names)})",
                         f"没有名为 {sheet!r} 的工作表")
    rows = workbook.get_sheet_by_name(target).to_python(skip_empty_area=False)
    while rows and all(v in (None, "") for v in rows[-1]):
        rows.pop()
    if not rows:
        raise file_error(str(path), "empty_file")
    headers = [(_cell_text(v) or "") for v in rows[0]]
    width = len(headers)
    columns = [[] for _ in range(width)]
    for r in rows[1:]:
        for i in range(width):
            columns[i].append(_cell_text(r[i]) if i < len(r) else None)
    table = pa.table({f"c{i}": pa.array(columns[i], type=pa.string()) for i in range(width)})
    _stage_arrow(con, table)
    return Staged(headers, table.num_rows, "xlsx", None)


def _quote(identifier) -> str:
    return '"' + str(identifier).replace('"', '""') + '"'


def _stage_arrow(con, table) -> None:
    con.register("_jiqun_arrow", table)
    try:
        cols = ", ".join(f"CAST({_quote(n)} AS VARCHAR) AS c{i}" for i, n in enumerate(table.column_names))
        run(con, f"CREATE OR REPLACE TEMP TABLE {STAGE} AS SELECT {cols} FROM _jiqun_arrow")
    finally:
        con.unregister("_jiqun_arrow")


def stage_parquet(con, path: Path) -> Staged:
    """Stage a Parquet file (typed columns are rendered as text, then re-typed by the schema)."""
    try:
        headers = [r[0] for r in run(con, "DESCRIBE SELECT * FROM read_parquet(?)", [str(path)])]
    except Exception as exc:
        raise file_error(str(path), "unreadable", f"not a readable Parquet file ({str(exc)[:200]})",
                         f"不是可读取的Parquet文件（{str(exc)[:200]}）") from None
    cols = ", ".join(f"CAST({_quote(h)} AS VARCHAR) AS c{i}" for i, h in enumerate(headers))
    run(con, f"CREATE OR REPLACE TEMP TABLE {STAGE} AS SELECT {cols} FROM read_parquet(?)", [str(path)])
    rows = one(con, f"SELECT count(*) FROM {STAGE}")[0]
    return Staged(headers, rows, "parquet", None)


def stage_arrow(con, table) -> Staged:
    """Stage an in-memory table (pyarrow, pandas or polars) given through the Python API."""
    import pyarrow as pa

    if not isinstance(table, pa.Table):
        if hasattr(table, "to_arrow"):
            table = table.to_arrow()
        else:
            table = pa.Table.from_pandas(table, preserve_index=False)
    headers = [str(n) for n in table.column_names]
    _stage_arrow(con, table)
    return Staged(headers, table.num_rows, "arrow", None)


def read_bytes_sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def arrow_sha256(table) -> str:
    """Checksum of an in-memory table (its Arrow IPC bytes)."""
    import hashlib

    import pyarrow as pa

    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return hashlib.sha256(sink.getvalue()).hexdigest()
