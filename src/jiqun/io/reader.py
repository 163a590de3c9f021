"""Read an input–output table in NBS layout (国家统计局投入产出表格式) from CSV or XLSX.

The layout (see docs/io.md): one header row, found below any title and unit rows, holding a code
column (Code / 代码), optional name columns (Description, DescriptionInChinese / 部门名称), an optional
origin column (Origin / 来源: Domestic 国内, Imports 进口, TOT 合计), one column per sector headed by
its code, then TIU (中间使用合计), final-use columns, EX (出口), TFU (最终使用合计), IM (进口, when
imports are not separated) and GO (总产出). Rows: the sectors (once, or once per origin), then TII
(中间投入合计), the value-added rows VA001–VA004, TVA (增加值合计) and TI (总投入). A row without an
origin column may instead follow a section row 国内产品 / 进口产品.

Every problem raises :class:`IOTableError` naming the file, the row (file row, 1-based), the column
and the rule broken.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .labels import (COLUMN_BY_LABEL, MISSING_TEXTS, ORIGIN_BY_LABEL, ROW_BY_LABEL, UNIT_LINE, normalise)

HEAD_ROWS = 30
LABEL_ROLES = ("code", "name_en", "name_zh", "origin")


class IOTableError(ValueError):
    """A file that is not a readable input–output table: what is wrong, where, and the rule."""

    def __init__(self, path, message: str, *, rule: str, row: int | None = None, column: str | None = None):
        self.path, self.rule, self.row, self.column = str(path), rule, row, column
        where = ", ".join(part for part in (f"row {row}" if row else "", f"column {column}" if column else "") if part)
        super().__init__(f"{path}{': ' + where if where else ''}: {message} [rule: {rule}]")


@dataclass
class RawTable:
    """What the reader found, before any maths: flows and accounts as read (see :func:`read_raw`)."""

    path: str
    sectors: list[str]
    names: pd.DataFrame
    flows: dict[str, pd.DataFrame]
    final_uses: dict[str, pd.DataFrame]
    gross: dict[str, pd.Series]
    rows: dict[str, pd.Series]
    units: str | None
    row_numbers: dict[tuple[str, str], int]
    columns: dict[str, int]


# --------------------------------------------------------------------------------------- grid

def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()


def _read_csv_grid(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    if not data.strip():
        raise IOTableError(path, "the file is empty", rule="empty_file")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError as exc:
            error = exc
    else:
        line = data[:error.start].count(b"\n") + 1
        raise IOTableError(path, f"byte {error.start} is neither UTF-8 nor GBK/GB18030 text; save it as UTF-8 or GBK",
                           rule="encoding", row=line)
    sample = text[:4096]
    delimiter = max((",", "\t", ";"), key=sample.count)
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _read_xlsx_grid(path: Path, sheet) -> list[list[str]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own types for every kind of broken file
        raise IOTableError(path, f"not a readable Excel workbook ({exc})", rule="unreadable") from None
    names = workbook.sheet_names
    if sheet is None:
        target = names[0] if names else None
    elif isinstance(sheet, int) or str(sheet).isdigit():
        target = names[int(sheet)] if int(sheet) < len(names) else None
    else:
        target = sheet if sheet in names else None
    if target is None:
        raise IOTableError(path, f"no sheet {sheet!r} (sheets: {', '.join(names) or 'none'})", rule="sheet")
    rows = workbook.get_sheet_by_name(target).to_python(skip_empty_area=False)
    return [[_cell_text(value) for value in row] for row in rows]


def read_grid(path: Path, sheet=None) -> list[list[str]]:
    """The cells of the file as text, one list per file row (CSV: UTF-8 or GBK/GB18030; XLSX)."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        if sheet is not None:
            raise IOTableError(path, "a CSV file has no sheets; leave the sheet out", rule="sheet")
        return _read_csv_grid(path)
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return _read_xlsx_grid(path, sheet)
    raise IOTableError(path, f"unknown file type {suffix!r}; give a .csv or .xlsx file", rule="format")


# --------------------------------------------------------------------------------------- layout

def _find_header(path, grid: list[list[str]]) -> int:
    for index, row in enumerate(grid[:HEAD_ROWS]):
        roles = {COLUMN_BY_LABEL.get(normalise(cell)) for cell in row}
        if "GO" in roles and "TIU" in roles:
            return index
    raise IOTableError(path, f"no header row in the first {HEAD_ROWS} rows: the header must hold a column GO "
                       "(总产出) and a column TIU (中间使用合计)", rule="header")


def _units(grid: list[list[str]], header: int, given: str | None) -> str | None:
    if given is not None:
        return given
    for row in grid[:header]:
        for cell in row:
            match = UNIT_LINE.search(cell)
            if match:
                return match.group(1) or match.group(2)
    return None


def _columns(path, header_row: list[str], header_number: int) -> tuple[dict[str, int], list[tuple[str, int]]]:
    """Roles → column index, and the sector columns (code, index) in file order."""
    roles: dict[str, int] = {}
    sectors: list[tuple[str, int]] = []
    tiu = next(i for i, cell in enumerate(header_row) if COLUMN_BY_LABEL.get(normalise(cell)) == "TIU")
    for index, cell in enumerate(header_row):
        role = COLUMN_BY_LABEL.get(normalise(cell))
        if role is not None and (role not in LABEL_ROLES or index < tiu):
            if role in roles:
                raise IOTableError(path, f"two columns are headed {cell!r}", rule="duplicate_column",
                                   row=header_number, column=cell)
            roles[role] = index
        elif index < tiu and cell:
            sectors.append((cell, index))
    roles.setdefault("code", 0)
    sectors = [(code, index) for code, index in sectors if index != roles["code"]]
    if not sectors:
        raise IOTableError(path, "no sector columns before TIU (中间使用合计): the header must hold one column per "
                           "sector, headed by its code", rule="no_sectors", row=header_number)
    codes = [code for code, _ in sectors]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise IOTableError(path, f"sector code(s) {', '.join(duplicates)} head more than one column",
                           rule="duplicate_sector", row=header_number, column=duplicates[0])
    return roles, sectors


def _code_width(codes: list[str]) -> int | None:
    """Digit codes are compared zero-padded (an Excel cell may hold 1 for 01)."""
    return max(len(c) for c in codes) if all(c.isdigit() for c in codes) else None


def _pad(code: str, width: int | None) -> str:
    return code.zfill(width) if width and code.isdigit() else code


def _number(path, text: str, row: int, column: str) -> float:
    if normalise(text) in MISSING_TEXTS:
        return 0.0
    try:
        value = float(text.replace(",", "").replace("，", ""))
    except ValueError:
        raise IOTableError(path, f"{text!r} is not a number", rule="number", row=row, column=column) from None
    if not math.isfinite(value):
        raise IOTableError(path, f"{text!r} is not a finite number", rule="number", row=row, column=column)
    return value


def _row_label(row: list[str], roles: dict[str, int]) -> str | None:
    """The row code (TII, VA001 …) of a totals row, from its code or one of its name cells."""
    for role in ("code", "name_zh", "name_en"):
        if role in roles and roles[role] < len(row):
            key = ROW_BY_LABEL.get(normalise(row[roles[role]]))
            if key is not None:
                return key
    return None


def _section_origin(row: list[str], numeric: list[int]) -> str | None:
    """国内产品 / 进口产品 on a row with no numbers: the origin of the rows below it."""
    if any(row[i] for i in numeric if i < len(row)):
        return None
    for cell in row:
        origin = ORIGIN_BY_LABEL.get(normalise(cell))
        if origin in ("Domestic", "Imports"):
            return origin
    return None


def _is_note(row: list[str]) -> bool:
    first = next((cell for cell in row if cell), "")
    return normalise(first).startswith(("注", "note", "资料来源", "数据来源", "source", "说明"))


def read_raw(path, *, units: str | None = None, sheet=None) -> RawTable:
    """Read the table's cells into flows, final uses and accounts, checking the layout (not the balances).

    Raises
    ------
    IOTableError
        For an unreadable file, a missing header, an unknown or duplicate row, a cell that is not a number.
    """
    path = Path(path)
    grid = read_grid(path, sheet)
    header = _find_header(path, grid)
    roles, sector_columns = _columns(path, grid[header], header + 1)
    width = _code_width([code for code, _ in sector_columns])
    sectors = [_pad(code, width) for code, _ in sector_columns]
    label_indexes = {roles[r] for r in LABEL_ROLES if r in roles}
    numeric = {name: index for name, index in roles.items() if name not in LABEL_ROLES}
    values: dict[str, dict[str, list[float]]] = {"Domestic": {}, "Imports": {}}
    rows: dict[str, list[float]] = {}
    row_numbers: dict[tuple[str, str], int] = {}
    names: dict[str, tuple[str, str]] = {}
    column_of = [(code, index) for code, (_, index) in zip(sectors, sector_columns)] + list(numeric.items())
    section = "Domestic"
    for offset, row in enumerate(grid[header + 1:]):
        number = header + 2 + offset
        row = row + [""] * (len(grid[header]) - len(row))
        if not any(row) or _is_note(row):
            continue
        origin_cell = row[roles["origin"]] if "origin" in roles else ""
        origin = ORIGIN_BY_LABEL.get(normalise(origin_cell)) if origin_cell else None
        if "origin" in roles and origin_cell and origin is None:
            raise IOTableError(path, f"origin {origin_cell!r} is not Domestic/国内, Imports/进口 or TOT/合计",
                               rule="origin", row=number, column=grid[header][roles["origin"]])
        data_indexes = [i for _, i in column_of]
        section_origin = _section_origin(row, data_indexes)
        if section_origin is not None:
            section = section_origin
            continue
        code = _pad(row[roles["code"]], width)
        cells = [_number(path, row[i], number, grid[header][i]) for _, i in column_of]
        if code in sectors and origin != "TOT":
            block = origin or section
            if code in values[block]:
                raise IOTableError(path, f"sector {code} has two {block.lower()} rows (also row "
                                   f"{row_numbers[(block, code)]})", rule="duplicate_row", row=number, column=code)
            values[block][code], row_numbers[(block, code)] = cells, number
            names.setdefault(code, tuple(row[roles[r]] if r in roles else "" for r in ("name_en", "name_zh")))
            continue
        label = _row_label(row, roles)
        if label is None:
            if not any(row[i] for i in data_indexes):
                continue  # a section title such as 中间投入 / 增加值 with no numbers
            shown = next((row[i] for i in sorted(label_indexes) if row[i]), row[roles["code"]])
            raise IOTableError(path, f"row {shown!r} is neither a sector of the header nor a known total "
                               "(TII 中间投入合计, VA001–VA004, TVA 增加值合计, TI 总投入)", rule="unknown_row",
                               row=number, column=grid[header][roles["code"]])
        if label in rows:
            raise IOTableError(path, f"two rows {label}", rule="duplicate_row", row=number)
        rows[label], row_numbers[("TOT", label)] = cells, number
    return _assemble(path, sectors, names, values, rows, row_numbers, numeric, units=_units(grid, header, units))


def _assemble(path, sectors, names, values, rows, row_numbers, numeric, *, units) -> RawTable:
    missing = [code for code in sectors if code not in values["Domestic"]]
    if missing:
        raise IOTableError(path, f"no row for sector(s) {', '.join(missing[:10])}{' …' if len(missing) > 10 else ''} "
                           "(every sector column needs a row of the same code)", rule="missing_row", column=missing[0])
    if values["Imports"]:
        absent = [code for code in sectors if code not in values["Imports"]]
        if absent:
            raise IOTableError(path, f"imported rows are given but not for sector(s) {', '.join(absent[:10])}",
                               rule="missing_row", column=absent[0])
    n = len(sectors)
    extra = list(numeric)
    flows, final_uses, gross = {}, {}, {}
    for block, by_code in values.items():
        if not by_code:
            continue
        matrix = np.array([by_code[code] for code in sectors], dtype=float)
        flows[block] = pd.DataFrame(matrix[:, :n], index=sectors, columns=sectors)
        accounts = pd.DataFrame(matrix[:, n:], index=sectors, columns=extra)
        gross[block] = accounts.pop("GO")
        final_uses[block] = accounts
    totals = {label: pd.Series(cells[:n], index=sectors, name=label) for label, cells in rows.items()}
    frame = pd.DataFrame(names, index=["name_en", "name_zh"]).T.reindex(sectors)
    return RawTable(str(path), sectors, frame, flows, final_uses, gross, totals, units, row_numbers,
                    {name: index for index, name in enumerate(extra)})
