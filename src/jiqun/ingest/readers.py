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

from .._duck import fetch_one, fetch_all

import codecs
import csv
import datetime as dt
import io
import os
import re
import tempfile
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable
from pathlib import Path

from .errors import file_error
from .layout import NOTE_PATTERN, SCAN_ROWS, fill_merged

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
    #: Where the header was found (a :class:`jiqun.ingest.layout.Layout`), when a locator was given.
    layout: object = None
    #: SQL giving a staged row's file row number (header = its real row).
    row_expr: str = "(rowid + 2)"
    #: Lines dropped before staging (trailing notes of a CSV): (file row, reason, text).
    skipped: list = field(default_factory=list)


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


def _first_lines(path: Path, limit: int) -> list[str]:
    """The first ``limit`` physical lines of a UTF-8 file (blank ones kept, so indexes are line numbers)."""
    lines = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for line in fh:
            lines.append(line.rstrip("\r\n"))
            if len(lines) >= limit:
                break
    return lines


def _fields(line: str, delim: str) -> list[str]:
    """Fields of one line of the file's head (a line that does not parse alone stays one field)."""
    if not line.strip():
        return []
    try:
        return next(csv.reader([line[:_PREVIEW_CHARS]], delimiter=delim))
    except csv.Error:
        return [line[:_PREVIEW_CHARS]]


def _pick_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the most lines of the file's head into the same number (>1) of fields.

    Title and note lines (one field) do not count; on ties the wider split, then the comma wins.
    """
    def consistency(delim: str) -> tuple[int, int]:
        widths = Counter(len(_fields(line, delim)) for line in lines if line.strip())
        return max(((count, width) for width, count in widths.items() if width > 1), default=(0, 0))

    scores = {delimiter: consistency(delimiter) for delimiter in DELIMITERS}
    return max(DELIMITERS, key=lambda delimiter: (scores[delimiter], delimiter == ","))


_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
_NOTE = re.compile(NOTE_PATTERN)
_TAIL_BYTES = 256 * 1024
_PREVIEW_CHARS = 100_000


def _is_note(fields: list[str]) -> bool:
    filled = [f for f in fields if f.strip()]
    return len(filled) == 1 and fields[0].strip() != "" and bool(
        _NOTE.match(unicodedata.normalize("NFKC", fields[0]).strip()))


def _trailing_notes(path: Path, delim: str) -> tuple[int | None, list[str]]:
    """Byte offset where trailing note lines (注：…, 资料来源：…) start, and their texts; (None, []) if none."""
    size = path.stat().st_size
    start = max(0, size - _TAIL_BYTES)
    with open(path, "rb") as fh:
        fh.seek(start)
        tail = fh.read()
    lines = tail.split(b"\n")
    if start > 0:
        start += len(lines[0]) + 1  # the first line may be cut: never a note candidate
        lines = lines[1:]
    offsets, position = [], start
    for line in lines:
        offsets.append(position)
        position += len(line) + 1
    cut, notes = None, []
    for offset, line in zip(reversed(offsets), reversed(lines)):
        text = line.decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r")
        if not text.strip():
            continue
        if not _is_note(_fields(text, delim)):
            break
        cut, notes = offset, [text.strip(delim + " ")] + notes
    return cut, notes


def _lines_before(path: Path, offset: int) -> int:
    count = 0
    with open(path, "rb") as fh:
        remaining = offset
        while remaining > 0 and (chunk := fh.read(min(CHUNK, remaining))):
            count += chunk.count(b"\n")
            remaining -= len(chunk)
    return count


def _cut_copy(path: Path, offset: int, is_temp: bool, temp_dir: str | None) -> Path:
    """``path`` without its bytes from ``offset`` on (in place for a temp copy)."""
    if is_temp:
        os.truncate(path, offset)
        return path
    fd, name = tempfile.mkstemp(suffix=".csv", prefix="jiqun-", dir=temp_dir or None)
    with open(path, "rb") as src, os.fdopen(fd, "wb") as dst:
        remaining = offset
        while remaining > 0 and (chunk := src.read(min(CHUNK, remaining))):
            dst.write(chunk)
            remaining -= len(chunk)
    return Path(name)


def stage_csv(con, path: Path, encoding: str | None = None, temp_dir: str | None = None,
              max_cell_chars: int = 10000, locate: Callable | None = None,
              head_rows: int = SCAN_ROWS + 2) -> Staged:
    """Stage a CSV file as the temp table ``STAGE`` (all VARCHAR).

    ``locate(rows)`` (see :func:`jiqun.ingest.layout.detect_layout`) is given the first rows of the
    file (``head_rows`` of them) and returns where the header is; without it the first non-blank
    line is the header.
    Trailing note lines (注：…) are left out of the staged rows and listed in ``Staged.skipped``.
    """
    text_path, used_encoding, is_temp = prepare_text(path, encoding, temp_dir)
    try:
        lines = _first_lines(text_path, head_rows)
        if not any(ln.strip() for ln in lines):
            raise file_error(str(path), "empty_file", "no header row", "没有表头行")
        delim = _pick_delimiter(lines)
        preview = [_fields(ln, delim) for ln in lines]
        layout = locate(preview) if locate else None
        if layout is None:
            header_index = next(i for i, ln in enumerate(lines) if ln.strip())
            headers, first_data_row = preview[header_index], header_index + 2
        else:
            headers, first_data_row = layout.headers, layout.first_data_row
            header_index = layout.first_data_row - 2
        width = max(len(preview[header_index]), 1)
        headers = (list(headers) + [""] * width)[:width]
        skipped = []
        cut, notes = _trailing_notes(text_path, delim)
        if cut is not None:
            first_note = _lines_before(text_path, cut) + 1
            skipped = [(first_note + i, "note", text) for i, text in enumerate(notes)]
            cut_path = _cut_copy(text_path, cut, is_temp, temp_dir)
            text_path, is_temp = cut_path, True
        columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
        # max_line_size bounds memory on a runaway quote; huge cells beyond it are parse errors.
        max_line = max(4 * max_cell_chars * width, 2_097_152)
        sql = (
            f"CREATE OR REPLACE TEMP TABLE {STAGE} AS SELECT * FROM read_csv(?, header=false, "
            f"skip={first_data_row - 1}, auto_detect=false, columns={columns}, delim=?, quote='\"', escape='\"', "
            f"strict_mode=true, null_padding=false, max_line_size={max_line})"
        )
        try:
            fetch_all(con, sql, [str(text_path), delim])
        except Exception as exc:  # duckdb.Error subclasses differ across versions
            message = str(exc)
            match = _CSV_LINE.search(message)
            row = int(match.group(1)) if match else None
            reason = _csv_reason(message)
            raise file_error(str(path), "parse", reason, reason, row=row) from None
        rows = fetch_one(con, f"SELECT count(*) FROM {STAGE}")[0]
        return Staged(headers, rows, "csv", used_encoding, layout, f"(rowid + {first_data_row})", skipped)
    finally:
        if is_temp:
            text_path.unlink(missing_ok=True)


def _csv_reason(message: str) -> str:
    lines = [ln.strip() for ln in message.splitlines() if ln.strip()]
    for line in lines:
        if line.startswith(("Value with unterminated quote", "Expected Number of Columns", "Maximum line size",
                          "Invalid unicode")):
            return line
    for line in lines:
        if "Error" in line:
            return line[:300]
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


def stage_xlsx(con, path: Path, sheet: str | int | None = None, locate: Callable | None = None,
               head_rows: int = SCAN_ROWS + 2) -> Staged:
    """Stage the first (or the named) sheet of an Excel workbook.

    ``locate`` finds the header as in :func:`stage_csv`; merged cells of the head of the sheet
    are filled over their span before it looks.
    """
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
    worksheet = workbook.get_sheet_by_name(target)
    rows = worksheet.to_python(skip_empty_area=False)
    while rows and all(v in (None, "") for v in rows[-1]):
        rows.pop()
    if not rows:
        raise file_error(str(path), "empty_file")
    layout = None
    if locate is None:
        headers, first_data_row = [(_cell_text(v) or "") for v in rows[0]], 2
    else:
        head = [[(_cell_text(v) or "") for v in r] for r in rows[:head_rows]]
        fill_merged(head, worksheet.merged_cell_ranges, len(head))
        layout = locate(head)
        headers, first_data_row = list(layout.headers), layout.first_data_row
    width = max(len(r) for r in rows[:head_rows])
    headers = (headers + [""] * width)[:width]
    columns = [[] for _ in range(width)]
    for row in rows[first_data_row - 1:]:
        for column in range(width):
            columns[column].append(_cell_text(row[column]) if column < len(row) else None)
    table = pa.table({f"c{column}": pa.array(columns[column], type=pa.string()) for column in range(width)})
    _stage_arrow(con, table)
    return Staged(headers, table.num_rows, "xlsx", None, layout, f"(rowid + {first_data_row})")


def _quote(identifier) -> str:
    return '"' + str(identifier).replace('"', '""') + '"'


def _stage_arrow(con, table) -> None:
    con.register("_jiqun_arrow", table)
    try:
        cols = ", ".join(f"CAST({_quote(n)} AS VARCHAR) AS c{i}" for i, n in enumerate(table.column_names))
        fetch_all(con, f"CREATE OR REPLACE TEMP TABLE {STAGE} AS SELECT {cols} FROM _jiqun_arrow")
    finally:
        con.unregister("_jiqun_arrow")


def stage_parquet(con, path: Path) -> Staged:
    """Stage a Parquet file (typed columns are rendered as text, then re-typed by the schema)."""
    try:
        headers = [r[0] for r in fetch_all(con, "DESCRIBE SELECT * FROM read_parquet(?)", [str(path)])]
    except Exception as exc:
        raise file_error(str(path), "unreadable", f"not a readable Parquet file ({str(exc)[:200]})",
                         f"不是可读取的Parquet文件（{str(exc)[:200]}）") from None
    cols = ", ".join(f"CAST({_quote(h)} AS VARCHAR) AS c{i}" for i, h in enumerate(headers))
    fetch_all(con, f"CREATE OR REPLACE TEMP TABLE {STAGE} AS SELECT {cols} FROM read_parquet(?)", [str(path)])
    rows = fetch_one(con, f"SELECT count(*) FROM {STAGE}")[0]
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
