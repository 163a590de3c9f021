"""Where the table is in a file as government offices export it.

Statistics bureaus and departments export sheets with a title row, a unit line
(``单位：万元``), blank rows, one or two header rows (a parent header such as
``主要经济指标（万元）`` merged over 营业收入 / 利润总额 / 研发经费), total rows (合计,
小计) and trailing notes (注：…, 资料来源：…). This module finds:

* the header row: every candidate row among the first :data:`SCAN_ROWS` (alone,
  or joined with the row below it as a two-row header) is scored by how many of
  its cells name a column of the target table (the same lookup as
  :func:`jiqun.ingest.headers.map_headers`); the best-scoring one wins, the
  earlier and the single row on ties. Nothing is guessed from the cells' types;
* a two-row header: the parent is filled across its span (Excel merged cells,
  or blanks after it in a CSV), a child takes its parent's unit unless it has
  its own, and parent and child labels are joined when only the joint label is
  a known name (从业人员 / 平均人数 → 从业人员平均人数);
* the unit line above the header (``单位：万元``, ``计量单位：万元``, ``(单位:亿元)``,
  ``金额单位：万元``, or the unit inside the title): it applies to money columns
  whose header has no unit of its own.

Total rows, note lines and blank rows are recognised in the engine
(:func:`skipped_rows_sql`) and never loaded.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..schema.model import MONEY_UNITS, Table
from .errors import file_error
from .headers import _BRACKETED_UNIT, header_lookup, match_header, normalize

#: Rows searched for the header.
SCAN_ROWS = 30
#: A unit line: 单位：万元, 计量单位：万元, 金额单位：万元, (单位:亿元), 主要指标（单位：万元）.
#: (填报单位：… names the reporting office, not a unit; the unit must not run on into a name.)
_UNIT_LINE = re.compile(r"(?<!填报)(?<!报送)(?<!统计)(?:计量|金额|货币|价值)?单位\s*[:：]\s*(百万元|千元|万元|亿元|元)"
                        r"(?![\u4e00-\u9fff])")
#: Words of a total row (after removing spaces): 合计, 总计, 小计, 全省合计, 江阴市小计 …
TOTAL_PATTERN = r"^.{0,12}(合计|总计|小计|共计)$"
TOTAL_WORDS = ("total", "subtotal", "grand total", "sum")
#: A column-number row (栏次) right under the header: 甲 | 乙 | 1 | 2 | 3 …
_COLUMN_NUMBER = r"(甲|乙|丙|丁|戊|栏次|[0-9]{1,3})"
#: Prefixes of a note line (the rest of the row empty).
NOTE_PATTERN = r"^(注|附注|说明|填表说明|资料来源|数据来源|来源|备注|填表人|制表人|审核人)\s*[0-9一二三四五六七八九十]*\s*[:：]"


@dataclass(frozen=True)
class Layout:
    """Where the header is and what it says.

    Attributes
    ----------
    header_row : int
        File row (1-based) of the first header row.
    header_depth : int
        Number of header rows (1, or 2 for a parent row over a child row).
    headers : list of str
        One label per column position (parent and child joined as ``parent / child``).
    match_labels : list of str
        The labels matched against the table (a child with its parent's unit).
    unit : str or None
        Unit found on a line above the header (``万元``), if any.
    unit_source : str or None
        Where it was found, e.g. ``row 2: 单位：万元``.
    detected : bool
        False when the header row was given (``header_row=``).
    """

    header_row: int
    header_depth: int
    headers: list[str]
    match_labels: list[str]
    unit: str | None = None
    unit_source: str | None = None
    detected: bool = True

    @property
    def first_data_row(self) -> int:
        return self.header_row + self.header_depth

    @property
    def unit_factor(self) -> float:
        return float(MONEY_UNITS[self.unit]) if self.unit else 1.0


def column_letter(position: int) -> str:
    """Spreadsheet letter of a 0-based column position (0 -> A, 26 -> AA)."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(value) -> str:
    """A header cell as shown: line breaks and runs of spaces become one space."""
    return " ".join(str(value).split()) if value not in (None, "") else ""


def _unit_of(label: str) -> tuple[str, str | None]:
    """Split ``主要经济指标（万元）`` into its (normalised) name and a money unit (None if it has none)."""
    match = _BRACKETED_UNIT.match(normalize(label))
    if match and match.group(2) in MONEY_UNITS:
        return match.group(1).rstrip("_"), match.group(2)
    return normalize(label), None


def _score(lookup, labels: list[str]) -> int:
    return len({column.name for column, _, _ in (match_header(lookup, lb) for lb in labels if lb) if column})


def _compose(lookup, parents: list[str], children: list[str]) -> tuple[list[str], list[str], int]:
    """Join a parent header row with the child row below it.

    Returns the display labels, the labels to match, and how many child labels the parent changed
    (a unit carried down, or a joined name).
    """
    width = max(len(parents), len(children))
    parents = parents + [""] * (width - len(parents))
    children = children + [""] * (width - len(children))
    filled, current = [], ""
    for parent, child in zip(parents, children):
        # A parent spans the blank cells after it, as long as there are child labels under them.
        current = parent if parent else (current if child else "")
        filled.append(current)
    shown, matched, changed = [], [], 0
    for parent, child in zip(filled, children):
        if not child or child == parent:
            shown.append(parent)
            matched.append(parent)
            continue
        if not parent:
            shown.append(child)
            matched.append(child)
            continue
        name, unit = _unit_of(parent)
        candidates = [child, name + child]
        if unit:
            candidates = [f"{child}({unit})", f"{name}{child}({unit})"] + candidates
        # A child with its own unit keeps it: its own spelling is tried before the parent's unit.
        if match_header(lookup, child)[2] is not None:
            candidates.insert(0, child)
        label = next((c for c in candidates if _maps(lookup, c)), f"{parent} / {child}")
        changed += label != child and _maps(lookup, label)
        shown.append(f"{parent} / {child}")
        matched.append(label)
    return shown, matched, changed


def _maps(lookup, label: str) -> bool:
    column, factor, _ = match_header(lookup, label)
    return column is not None and factor is not None


def fill_merged(rows: list[list], merged: list[tuple[tuple[int, int], tuple[int, int]]], limit: int) -> None:
    """Copy the value of each Excel merged range down its rows (rows below ``limit`` only).

    Only downwards: a header merged over two rows (统一社会信用代码 over the parent and child rows)
    names its column in both. Across columns the blanks stay, so that a parent header is spread only
    over the child labels under it (:func:`_compose`), and a parent without its child row leaves
    blank-headed columns, which are refused.
    """
    for (top, left), (bottom, _right) in merged:
        if top >= limit or top >= len(rows) or left >= len(rows[top]):
            continue
        value = rows[top][left]
        for row in range(top + 1, min(bottom, limit - 1, len(rows) - 1) + 1):
            rows[row][left] = value


def _unit_line(rows: list[list[str]], above: int) -> tuple[str | None, str | None]:
    """The unit stated on a line above the header (the nearest one), and where."""
    for index in range(above - 1, -1, -1):
        for cell in rows[index]:
            match = _UNIT_LINE.search(unicodedata.normalize("NFKC", cell)) if cell else None
            if match:
                return match.group(1), f"row {index + 1}: {cell}"
    return None, None


def detect_layout(table: Table, rows: list[list], file: str, header_row: int | None = None) -> Layout:
    """Find the header of ``table`` among the first rows of a file.

    Parameters
    ----------
    table : Table
        Target table (its column names and aliases score the candidate rows).
    rows : list of list
        The first rows of the file (cells as text or None), at least ``SCAN_ROWS + 1`` if the file has them.
    file : str
        File name for messages.
    header_row : int, optional
        1-based file row of the header, given by the user (``--header-row``); the row below joins it
        as a child row when that maps more columns.

    Returns
    -------
    Layout

    Raises
    ------
    IngestError
        ``header_row`` beyond the rows of the file.
    """
    texts = [[_text(v) for v in row] for row in rows]
    lookup = header_lookup(table)
    if header_row is not None:
        if header_row < 1 or header_row > len(texts):
            raise file_error(file, "no_rows", f"--header-row {header_row} is beyond the file's {len(texts)} rows",
                             f"--header-row {header_row} 超出文件的 {len(texts)} 行", row=header_row)
        candidates = [header_row - 1]
    else:
        candidates = [i for i in range(min(SCAN_ROWS, len(texts))) if any(texts[i])]
    # Ranked by the columns named; on a tie a two-row header wins if its parent row takes part (it
    # changes child labels -- a unit, a joined name -- or names columns itself above a non-empty child
    # row), then a single row, then the earlier row.
    best = None
    for index in candidates:
        single = texts[index]
        options = [(1, single, single, False)]
        if index + 1 < len(texts):
            shown, matched, changed = _compose(lookup, single, texts[index + 1])
            takes_part = changed > 0 or (any(texts[index + 1]) and _score(lookup, single) > 0)
            options.append((2, shown, matched, takes_part))
        for depth, shown, matched, takes_part in options:
            key = (_score(lookup, matched), takes_part, -depth, -index)
            if best is None or key > best[0]:
                best = (key, index, depth, shown, matched)
    if best is None or (best[0][0] == 0 and header_row is None):
        # Nothing names a column: keep the widest row (the first of them), the refusal lists what it holds.
        index = max(candidates, key=lambda candidate: (sum(1 for cell in texts[candidate] if cell), -candidate)) if candidates else 0
        row = texts[index] if texts else []
        best = ((0, 0, 0), index, 1, row, row)
    _, index, depth, shown, matched = best
    unit, source = _unit_line(texts, index)
    return Layout(index + 1, depth, list(shown), list(matched), unit, source, header_row is None)


def skipped_rows_sql(stage: str, width: int, row_expr: str) -> str:
    """SELECT of the staged rows that are total rows, note lines or blank: (_row, rowid, reason, text).

    The regular expressions run only on the rare first cells that hold 计 (total rows) or on
    rows with a single filled cell (note lines), so the scan costs little on large files.
    """
    cells = [f"NULLIF(trim(c{i}), '')" for i in range(width)]
    first = f"coalesce({', '.join(cells)})" if width > 1 else cells[0]
    filled = " + ".join(f"CAST({c} IS NOT NULL AS INTEGER)" for c in cells)
    words = ", ".join(f"'{w}'" for w in TOTAL_WORDS)
    total = (f"((contains(_first, '计') AND regexp_full_match(regexp_replace(_first, '[\\s\\x{{3000}}]', '', 'g'), "
             f"'{TOTAL_PATTERN}')) OR lower(_first) IN ({words}))")
    note = f"(_filled = 1 AND regexp_matches(_first, '{NOTE_PATTERN}'))"
    joined = f"concat_ws('|', {', '.join(cells)})"
    numbers = (f"(_rowid = 0 AND _filled > 1 AND regexp_full_match({joined}, '({_COLUMN_NUMBER}\\|)*{_COLUMN_NUMBER}') "
               f"AND regexp_matches({joined}, '甲|栏次'))")
    return (
        f"SELECT _row, _rowid, CASE WHEN _first IS NULL THEN 'blank' WHEN {total} THEN 'total' "
        f"WHEN {numbers} THEN 'column_numbers' ELSE 'note' END, _first "
        f"FROM (SELECT {row_expr} AS _row, rowid AS _rowid, {first} AS _first, {filled} AS _filled, * "
        f"FROM {stage}) WHERE _first IS NULL OR {total} OR {note} OR {numbers}"
    )
