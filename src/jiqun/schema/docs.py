"""Render the data model (docs/data-model.md) from the declarations."""

from __future__ import annotations

from dataclasses import dataclass

from .model import CODE_LISTS, MONEY_UNITS, Column, Table
from .tables import TABLES

LAYERS = {
    "catalogue": "Reference catalogue 参考目录 (shipped, editable)",
    "fact": "Facts 事实数据 (loaded by users)",
    "meta": "Provenance 元数据 (written by jiqun)",
    "result": "Results 结果 (computed by jiqun)",
}


def _checks(col: Column) -> str:
    parts = []
    if col.required:
        parts.append("required")
    if col.uscc:
        parts.append("USCC check character (GB 32100-2015)")
    if col.codelist:
        parts.append(f"code list `{col.codelist}`" + (" (;-separated)" if col.multi else ""))
    if col.enum:
        parts.append("one of " + ", ".join(f"`{v}`" for v in col.enum))
    if col.pattern:
        parts.append(f"matches `{col.pattern}`")
    if col.min is not None:
        parts.append(f"≥ {col.min:g}")
    if col.max is not None:
        parts.append(f"≤ {col.max:g}")
    if col.max_length:
        parts.append(f"≤ {col.max_length} chars")
    if col.not_future:
        parts.append("not in the future")
    if col.default is not None:
        parts.append(f"default {col.default}")
    if col.key_of is not None:
        parts.append(f"assigned by jiqun at load from `{col.key_of}` (not read from files)")
    # "|" would end a Markdown table cell.
    return "; ".join(parts).replace("|", "\\|")


@dataclass(frozen=True)
class ColumnChecks:
    """What ingest accepts in one column (one row of :func:`column_checks`).

    ``units`` are the header units accepted (money: 元 … 亿元, converted to yuan); ``allowed`` maps
    each stored value of an enum column to its accepted spellings; ``synonyms`` are the header
    spellings of :mod:`jiqun.schema.synonyms` (besides the English and Chinese names and ``aliases``).
    """

    column: str
    zh: str
    type: str
    unit: str
    units: tuple[str, ...]
    required: bool
    code_list: str
    allowed: dict[str, tuple[str, ...]]
    range: str
    pattern: str
    max_length: int | None
    not_future: bool
    default: str
    aliases: tuple[str, ...]
    synonyms: tuple[str, ...]
    checks: str  # every check in one line (as in docs/data-model.md)


def _range_text(col: Column) -> str:
    if col.min is not None and col.max is not None:
        return f"{col.min:g} – {col.max:g}"
    if col.min is not None:
        return f"≥ {col.min:g}"
    if col.max is not None:
        return f"≤ {col.max:g}"
    return ""


def column_checks(table: Table | str) -> list[ColumnChecks]:
    """Every input column of ``table`` with its checks and allowed values, in declaration order.

    Parameters
    ----------
    table : Table or str
        A declaration or a table name.

    Returns
    -------
    list of ColumnChecks
        The columns a file provides (not the firm keys jiqun assigns).
    """
    from .synonyms import header_synonyms

    spec = TABLES[table] if isinstance(table, str) else table
    synonyms = header_synonyms(spec.name)
    out = []
    for col in spec.input_columns:
        code_list = col.codelist or ""
        if code_list and col.multi:
            code_list += " (;-separated)"
        if col.codelist == "region" and not col.multi:
            code_list += " (a code, or a region name such as 苏州市, 姑苏区, 苏州工业园区)"
        out.append(ColumnChecks(
            column=col.name, zh=col.zh, type=col.type, unit=col.unit or "",
            units=tuple(MONEY_UNITS) if col.is_money else (), required=col.required and col.default is None,
            code_list=code_list, allowed=dict(col.enum or {}), range=_range_text(col), pattern=col.pattern or "",
            max_length=col.max_length, not_future=col.not_future, default=col.default or "",
            aliases=col.aliases, synonyms=synonyms.get(col.name, ()), checks=_checks(col).replace("\\|", "|")))
    return out


def table_rules(table: Table | str) -> list[tuple[str, str, str]]:
    """The cross-field rules and foreign keys of ``table`` as ``(kind, rule, explanation)`` rows:
    kind ``rule`` (name, SQL, English / Chinese message) or ``foreign key`` (columns, target, condition)."""
    spec = TABLES[table] if isinstance(table, str) else table
    rows = [("rule", f"{r.name}: {r.sql}", f"refused when {r.message_en} / 拒绝：{r.message_zh}") for r in spec.rules]
    for fk in spec.foreign_keys:
        target = f"{fk.ref_table}({', '.join(fk.ref_columns)})"
        scope = f" (only when {fk.when})" if fk.when else ""
        rows.append(("foreign key", f"({', '.join(fk.columns)}) → {target}",
                     f"a value must exist in {target}{scope} / 取值须已存在于 {fk.ref_table}"))
    return rows


def _table_md(table: Table) -> list[str]:
    lines = [f"### `{table.name}` — {table.zh}", "", table.description, "", f"- **Grain 粒度:** {table.grain}"]
    if table.primary_key:
        lines.append(f"- **Primary key 主键:** {', '.join(f'`{k}`' for k in table.primary_key)}")
    if table.sort_by:
        lines.append(f"- **Stored order 存储顺序:** each load's rows by {', '.join(f'`{k}`' for k in table.sort_by)}, "
                     "then in file order (for speed: results differ at most by floating-point rounding)")
    for fk in table.foreign_keys:
        cond = f" when `{fk.when}`" if fk.when else ""
        lines.append(f"- **Foreign key 外键:** ({', '.join(fk.columns)}) → "
                     f"`{fk.ref_table}`({', '.join(fk.ref_columns)}){cond}")
    for rule in table.rules:
        lines.append(f"- **Rule 规则 `{rule.name}`:** `{rule.sql}` — {rule.message_en} / {rule.message_zh}")
    lines += ["", "| column | 中文 | type | unit | checks | description |", "|---|---|---|---|---|---|"]
    for column in table.columns:
        lines.append(f"| `{column.name}` | {column.zh} | {column.type} | {column.unit or ''} | {_checks(column)} "
                     f"| {column.description} |")
    synonyms = _synonyms_md(table)
    return lines + ([""] + synonyms if synonyms else []) + [""]


def _synonyms_md(table: Table) -> list[str]:
    from .synonyms import header_synonyms

    found = header_synonyms(table.name)
    if not found:
        return []
    parts = "; ".join(f"`{col}`: {', '.join(names)}" for col, names in found.items())
    return [f"Other accepted headers 其他可用表头 (`schema/data/header_synonyms.csv`): {parts}."]


def data_model_markdown() -> str:
    """The whole data model as Markdown."""
    lines = [
        "# Data model 数据模型",
        "",
        "Generated from `jiqun.schema.tables` by `jiqun docs`; do not edit by hand "
        "(a test fails when this file and the declarations differ).",
        "",
        "Every table is declared once (columns, types, units, grain, keys, checks, Chinese and English "
        "names); the DuckDB DDL, the ingest validation and this page are derived from that declaration. "
        "Keys and foreign keys are enforced by ingest validation, not by DuckDB constraints.",
        "",
        "Money columns are stored in yuan (元). Their headers may carry a unit, converted once at ingest: "
        + ", ".join(f"`{u}` ×{f:,}" for u, f in MONEY_UNITS.items()) + ".",
        "",
        "A column with code list `region` accepts a GB/T 2260 code or a region's name as analysts write "
        "it: 苏州市 or 苏州, 昆山市, 姑苏区, 苏州市姑苏区, 江苏省, 苏州工业园区, 昆山开发区 (spaces ignored, NFKC). A name "
        "that stands for one region is stored as its code; one that stands for several (鼓楼区: 320106 Nanjing, "
        "320302 Xuzhou; 淮安: the city or the district) is refused with the candidates (rule `ambiguous_region`); "
        "an unknown name is a code-list error with the closest name. Development zones (level `zone`) roll up "
        "into the city of their first four digits.",
        "",
        "## Code lists 代码表",
        "",
        "| code list | rule |",
        "|---|---|",
    ]
    lines += [f"| `{name}` | {rule} |" for name, rule in CODE_LISTS.items()]
    lines.append("")
    for layer, title in LAYERS.items():
        lines += [f"## {title}", ""]
        for table in TABLES.values():
            if table.layer == layer:
                lines += _table_md(table)
    return "\n".join(lines).rstrip() + "\n"
