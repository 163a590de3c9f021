"""Turn a staged messy file into mapped columns: skip total/note/blank rows, refuse blank headers,
map the detected header, apply a unit line. Used by :mod:`jiqun.ingest.load` between staging and typing.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .._duck import fetch_one, fetch_all

from ..schema.model import Table
from .errors import RULES, IngestError, Problem
from .headers import Mapping, has_own_unit, header_lookup, map_headers, match_header
from .layout import Layout, column_letter, skipped_rows_sql
from .readers import STAGE, Staged

SKIPPED = "_jiqun_skipped"
_REASONS = {
    "total": ("total row", "合计行"),
    "note": ("note line", "注释行"),
    "blank": ("blank row", "空行"),
    "column_numbers": ("column-number row", "栏次行"),
}


@dataclass(frozen=True)
class SkippedRow:
    """A row of the file that was recognised and not loaded."""

    row: int
    reason: str  # total, note, blank or column_numbers
    text: str | None

    @property
    def label(self) -> str:
        en, zh = _REASONS[self.reason]
        return f"row {self.row} {en} {zh}" + (f" ({self.text})" if self.text else "")


@dataclass
class Arranged:
    """Columns read from a staged file, and what was done to get them."""

    mappings: list[Mapping]
    ignored: list[str]
    skipped: list[SkippedRow]
    unit_applied_to: list[str]


def skip_rows(db, staged: Staged) -> list[SkippedRow]:
    """Find total rows, note lines and blank rows in ``STAGE`` and drop them (file row numbers are kept).

    When rows are dropped, ``STAGE`` gets an explicit ``_file_row`` column and ``staged.row_expr``
    and ``staged.rows`` are updated.
    """
    width = len(staged.headers)
    found: list[SkippedRow] = []
    if width:
        fetch_all(db, f"CREATE OR REPLACE TEMP TABLE {SKIPPED} AS {skipped_rows_sql(STAGE, width, staged.row_expr)}")
        rows = fetch_all(db, f"SELECT * FROM {SKIPPED} ORDER BY 1")
        found = [SkippedRow(int(row), reason, text) for row, _, reason, text in rows]
        if found:
            fetch_all(db, f"CREATE OR REPLACE TEMP TABLE _jiqun_stage_kept AS SELECT {staged.row_expr} AS _file_row, * "
                    f"FROM {STAGE} WHERE rowid NOT IN (SELECT _rowid FROM {SKIPPED})")
            fetch_all(db, f"DROP TABLE {STAGE}")
            fetch_all(db, f"ALTER TABLE _jiqun_stage_kept RENAME TO {STAGE}")
            staged.row_expr = "_file_row"
            staged.rows = fetch_one(db, f"SELECT count(*) FROM {STAGE}")[0]
        fetch_all(db, f"DROP TABLE IF EXISTS {SKIPPED}")
    found += [SkippedRow(row, reason, text) for row, reason, text in staged.skipped]
    return found


def blank_header_problems(db, staged: Staged, labels: list[str], source: str) -> list[Problem]:
    """Columns whose header is empty but which hold values (e.g. under a merged parent header)."""
    header_row = staged.layout.header_row if isinstance(staged.layout, Layout) else 1
    blank = [i for i, label in enumerate(labels) if not str(label or "").strip()]
    if not blank:
        return []
    counts = fetch_one(db, "SELECT " + ", ".join(f"count(NULLIF(trim(c{i}), ''))" for i in blank) + f" FROM {STAGE}")
    problems = []
    en, zh = RULES["blank_header"]
    for position, count in zip(blank, counts):
        if not count:
            continue
        left = next((labels[i] for i in range(position - 1, -1, -1) if str(labels[i] or "").strip()), None)
        near_en = f" (right of {left!r}: a merged parent header without its child row?)" if left else ""
        near_zh = f"（在 {left!r} 右侧：是否缺少合并表头下的子表头行？）" if left else ""
        letter = column_letter(position)
        problems.append(Problem(
            source, header_row, f"column {letter}", None, "blank_header",
            f"{en}: column {letter} (position {position + 1}) holds {count} value(s) but its header is "
            f"empty{near_en}; give it a header or delete it",
            f"{zh}：第{letter}列（第{position + 1}列）有{count}个值但表头为空{near_zh}；请补上表头或删除该列"))
    return problems


def spread_header_problems(spec: Table, labels: list[str], header_row: int, source: str) -> list[Problem]:
    """Runs of adjacent columns under one repeated unknown header (a parent header without its child row)."""
    lookup = header_lookup(spec)
    problems, start = [], 0
    en, zh = RULES["blank_header"]
    for end in range(1, len(labels) + 1):
        if end < len(labels) and labels[end] and labels[end] == labels[start]:
            continue
        label = labels[start]
        if end - start > 1 and label and match_header(lookup, label)[0] is None:
            span = f"{column_letter(start)}-{column_letter(end - 1)}"
            problems.append(Problem(
                source, header_row, f"columns {span}", label, "blank_header",
                f"{en}: columns {span} all have the header {label!r} and no header of their own (a merged "
                f"parent header without its child row?); add the row of column headers under it",
                f"{zh}：第{span}列的表头都是 {label!r}，没有各自的表头（是否缺少合并表头下的子表头行？）；请补上子表头行"))
        start = end
    return problems


def arrange(db, spec: Table, staged: Staged, source: str) -> Arranged:
    """Skip total/note/blank rows, check for blank headers, map the header, apply a unit line.

    Raises
    ------
    IngestError
        Blank-headed columns holding values, or a header that does not map (missing, duplicate, unit).
    """
    layout = staged.layout if isinstance(staged.layout, Layout) else None
    skipped = skip_rows(db, staged) if layout is not None else []
    labels = list(layout.match_labels) if layout else list(staged.headers)
    labels = (labels + [""] * len(staged.headers))[:len(staged.headers)]
    problems = blank_header_problems(db, staged, labels, source) if layout is not None else []
    if layout is not None and layout.header_depth == 1:
        problems += spread_header_problems(spec, labels, layout.header_row, source)
    try:
        mappings, ignored = map_headers(spec, labels, source)
    except IngestError as exc:
        header_row = layout.header_row if layout else 1
        problems += [dataclasses.replace(p, row=header_row) if p.row == 1 else p for p in exc.problems]
        mappings, ignored = [], []
    if problems:
        raise IngestError(source, problems)
    mappings = [dataclasses.replace(m, header=staged.headers[m.position] or m.header) for m in mappings]
    applied: list[str] = []
    if layout is not None and layout.unit:
        lookup = header_lookup(spec)
        for index, mapping in enumerate(mappings):
            if mapping.column.is_money and not has_own_unit(lookup, labels[mapping.position]):
                mappings[index] = dataclasses.replace(mapping, factor=layout.unit_factor)
                applied.append(mapping.column.name)
    return Arranged(mappings, ignored, skipped, applied)
