"""The one Excel writer of jiqun (an edge: I/O only): workbooks that analysts can forward.

Every sheet gets Chinese headers (with the unit in the header: 营业收入（亿元）), number
formats (thousands separators, shares as ``0.0%``), a frozen header row, an autofilter and
column widths fitted to the content (CJK characters count double). Every workbook ends with
a 说明 sheet: what the workbook is, the data vintage, the store, the jiqun version and the
date, the meaning and unit of every column of every sheet, and further definitions (e.g.
each indicator's definition from the catalogue).

Callers describe their columns with :class:`Column` and their sheets with :class:`Sheet`;
:func:`write_workbook` does the rest. Also :func:`write_csv`: CSV with a UTF-8 BOM, so
that Excel on Chinese Windows reads it correctly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ._version import __version__
from .display import display_unit, display_width, is_missing

#: Column kinds: how values are converted and formatted.
#: text; code (ids, kept as text); year; integer; decimal; score (3 decimals);
#: share (0-1 shown as %); money_yi / money_wan (yuan shown in 亿元 / 万元);
#: by_unit (per row, from the catalogue unit in ``Column.unit_field``); flag (true/false shown as 是/否);
#: timestamp (shown as text, to the minute).
COLUMN_KINDS = ("text", "code", "year", "integer", "decimal", "score", "share", "money_yi", "money_wan", "by_unit",
                "flag", "timestamp")
_FORMATS = {"year": "0", "integer": "#,##0", "decimal": "#,##0.00", "score": "0.000", "share": "0.0%",
            "money_yi": "#,##0.00", "money_wan": "#,##0.0"}
_SUFFIX = {"money_yi": "（亿元）", "money_wan": "（万元）", "share": "（%）"}
_DIVISOR = {"money_yi": 1e8, "money_wan": 1e4}
_UNIT_TEXT = {"money_yi": "亿元 (stored in yuan ÷ 1e8)", "money_wan": "万元 (stored in yuan ÷ 1e4)",
              "share": "% (ratio × 100)", "year": "年", "by_unit": "见“单位”列 see the unit column"}
MAX_WIDTH = 60
ABOUT_SHEET = "说明"


@dataclass(frozen=True)
class Column:
    """One column of a sheet.

    Attributes
    ----------
    field : str
        Column of the frame.
    header_zh : str
        Chinese header, without the unit (the writer adds （亿元）, （%） … from ``kind``).
    kind : str
        One of :data:`COLUMN_KINDS`.
    description : str
        Meaning of the column, for the 说明 sheet.
    unit_field : str, optional
        For ``by_unit``: the frame column holding each row's catalogue unit (``yuan``, ``ratio`` …).
    """

    field: str
    header_zh: str
    kind: str = "text"
    description: str = ""
    unit_field: str | None = None

    @property
    def header(self) -> str:
        """The header as written: Chinese name and unit."""
        return self.header_zh + _SUFFIX.get(self.kind, "")


@dataclass
class Sheet:
    """A sheet: a frame and the columns to write, in order."""

    name: str
    frame: pd.DataFrame
    columns: list[Column]
    description: str = ""


@dataclass
class About:
    """What the 说明 sheet states besides the columns.

    Attributes
    ----------
    title : str
        What the workbook is (bilingual).
    vintage : str
        The data vintage (``loads.vintage`` / the results' vintage).
    store : str
        The store the numbers come from.
    notes : list of str
        Further lines (e.g. "synthetic data").
    definitions : list of tuple
        ``(id, name, unit, definition)`` rows, e.g. every indicator of the catalogue.
    """

    title: str
    vintage: str = ""
    store: str = ""
    notes: list[str] = field(default_factory=list)
    definitions: list[tuple[str, str, str, str]] = field(default_factory=list)


def columns_for(frame: pd.DataFrame, specs: dict[str, Column]) -> list[Column]:
    """The specs of the frame's columns, in the frame's order; a column without a spec is refused."""
    missing = [c for c in frame.columns if c not in specs]
    if missing:
        raise ValueError(f"no Chinese header declared for column(s) {missing}")
    return [specs[c] for c in frame.columns]


def shown_frame(frame: pd.DataFrame, columns: list[Column]) -> pd.DataFrame:
    """``frame``'s ``columns`` as a CSV shows them: Chinese headers with their unit (营业收入（亿元）),
    money in 亿元/万元, shares in % (ratio × 100, matching the header), flags 是/否, codes as text."""
    out = {}
    for column in columns:
        values = frame[column.field] if column.field in frame else pd.Series([None] * len(frame), dtype=object)
        cells = []
        for value in values:
            shown, _fmt = _cell(value, column, None)
            cells.append(shown * 100 if column.kind == "share" and isinstance(shown, float) else shown)
        out[column.header] = cells
    return pd.DataFrame(out)


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as CSV with a UTF-8 BOM (read correctly by Excel on Chinese Windows)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def write_workbook(path: Path, sheets: list[Sheet], about: About) -> Path:
    """Write the sheets and a closing 说明 sheet (see the module docstring); return the path."""
    import xlsxwriter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for sheet in sheets:
        for column in sheet.columns:
            if column.kind not in COLUMN_KINDS:
                raise ValueError(f"column {column.field!r}: kind must be one of {COLUMN_KINDS}")
    workbook = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": False, "strings_to_numbers": False,
                                               "strings_to_formulas": False, "strings_to_urls": False})
    formats = _Formats(workbook)
    try:
        for sheet in sheets:
            _write_sheet(workbook.add_worksheet(_sheet_name(sheet.name)), sheet, formats)
        _write_about(workbook.add_worksheet(ABOUT_SHEET), sheets, about, formats)
    finally:
        workbook.close()
    return path


class _Formats:
    """Cell formats of one workbook, created once per number format."""

    def __init__(self, workbook):
        self.workbook = workbook
        self.header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                           "valign": "top"})
        self.title = workbook.add_format({"bold": True, "font_size": 13})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        self._numbers: dict[str, object] = {}

    def number(self, fmt: str):
        if fmt not in self._numbers:
            self._numbers[fmt] = self.workbook.add_format({"num_format": fmt})
        return self._numbers[fmt]


def _sheet_name(name: str) -> str:
    for character in "[]:*?/\\":
        name = name.replace(character, "_")
    return name[:31]


def _cell(value, column: Column, unit: str | None):
    """(value to write, number format or None) of one cell."""
    if is_missing(value):
        return None, None
    kind = column.kind
    if kind == "by_unit":
        shown_unit = display_unit(unit)
        return float(value) / shown_unit.divisor, shown_unit.excel_format
    if kind in ("text", "code"):
        return str(value), None
    if kind == "flag":
        return ("是" if bool(value) else "否"), None
    if kind == "timestamp":
        return (value.strftime("%Y-%m-%d %H:%M") if hasattr(value, "strftime") else str(value)), None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value), None
    return number / _DIVISOR.get(kind, 1.0), _FORMATS[kind]


def _shown_text(value, fmt: str | None) -> str:
    """Approximate text of a cell as Excel shows it (for the column width)."""
    if fmt is None or not isinstance(value, float):
        return "" if value is None else str(value)
    if fmt.endswith("%"):
        return f"{value * 100:,.1f}%"
    decimals = len(fmt.split(".")[1]) if "." in fmt else 0
    return f"{value:,.{decimals}f}"


def _write_sheet(worksheet, sheet: Sheet, formats: _Formats) -> None:
    frame = sheet.frame.reset_index(drop=True)
    columns = sheet.columns
    widths = [display_width(c.header) for c in columns]
    for position, column in enumerate(columns):
        worksheet.write_string(0, position, column.header, formats.header)
    data = {c.field: frame[c.field].tolist() for c in columns}
    units = {c.unit_field: frame[c.unit_field].tolist() for c in columns if c.unit_field}
    for row in range(len(frame)):
        for position, column in enumerate(columns):
            unit = units[column.unit_field][row] if column.unit_field else None
            value, fmt = _cell(data[column.field][row], column, unit)
            if value is None:
                continue
            if isinstance(value, str):
                worksheet.write_string(row + 1, position, value)
            else:
                worksheet.write_number(row + 1, position, value, formats.number(fmt))
            if row < 2000:
                widths[position] = max(widths[position], display_width(_shown_text(value, fmt)))
    for position, width in enumerate(widths):
        worksheet.set_column(position, position, min(width + 2, MAX_WIDTH), formats.wrap if width > MAX_WIDTH else None)
    worksheet.freeze_panes(1, 0)
    if columns:
        worksheet.autofilter(0, 0, max(len(frame), 1), len(columns) - 1)


def _write_about(worksheet, sheets: list[Sheet], about: About, formats: _Formats) -> None:
    """The 说明 sheet: provenance, then every sheet's columns, then the definitions."""
    rows: list[tuple] = [(about.title,), (),
                         ("数据版本 Data vintage", about.vintage or "未声明 undeclared"),
                         ("数据库 Store", about.store or "—"),
                         ("jiqun 版本 Version", __version__),
                         ("生成时间 Generated", dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"))]
    rows += [("注 Note", note) for note in about.notes]
    rows += [(), ("工作表 Sheet", "列 Column", "字段 Field", "含义 Meaning", "单位 Unit")]
    for sheet in sheets:
        if sheet.description:
            rows.append((sheet.name, "", "", sheet.description, ""))
        for column in sheet.columns:
            rows.append((sheet.name, column.header, column.field, column.description,
                         _UNIT_TEXT.get(column.kind, "")))
    if about.definitions:
        rows += [(), ("定义 Definitions", "名称 Name", "编号 Id", "定义 Definition", "单位 Unit")]
        rows += [("", name, code, definition, unit) for code, name, unit, definition in about.definitions]
    headers = {line for line, cells in enumerate(rows)
               if cells and cells[0] in ("工作表 Sheet", "定义 Definitions")}
    for line, row in enumerate(rows):
        style = formats.title if line == 0 else formats.header if line in headers else formats.wrap
        for position, value in enumerate(row):
            worksheet.write_string(line, position, str(value), style)
    widths = [14, 24, 20, 60, 24]
    for position, width in enumerate(widths):
        worksheet.set_column(position, position, width, formats.wrap)
