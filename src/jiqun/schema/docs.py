"""Render the data model (docs/data-model.md) from the declarations."""

from __future__ import annotations

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


def _table_md(t: Table) -> list[str]:
    lines = [f"### `{t.name}` — {t.zh}", "", t.description, "", f"- **Grain 粒度:** {t.grain}"]
    if t.primary_key:
        lines.append(f"- **Primary key 主键:** {', '.join(f'`{k}`' for k in t.primary_key)}")
    if t.sort_by:
        lines.append(f"- **Stored order 存储顺序:** each load's rows by {', '.join(f'`{k}`' for k in t.sort_by)}, "
                     "then in file order (for speed: results differ at most by floating-point rounding)")
    for fk in t.foreign_keys:
        cond = f" when `{fk.when}`" if fk.when else ""
        lines.append(f"- **Foreign key 外键:** ({', '.join(fk.columns)}) → "
                     f"`{fk.ref_table}`({', '.join(fk.ref_columns)}){cond}")
    for rule in t.rules:
        lines.append(f"- **Rule 规则 `{rule.name}`:** `{rule.sql}` — {rule.message_en} / {rule.message_zh}")
    lines += ["", "| column | 中文 | type | unit | checks | description |", "|---|---|---|---|---|---|"]
    for c in t.columns:
        lines.append(f"| `{c.name}` | {c.zh} | {c.type} | {c.unit or ''} | {_checks(c)} | {c.description} |")
    return lines + [""]


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
        "## Code lists 代码表",
        "",
        "| code list | rule |",
        "|---|---|",
    ]
    lines += [f"| `{name}` | {rule} |" for name, rule in CODE_LISTS.items()]
    lines.append("")
    for layer, title in LAYERS.items():
        lines += [f"## {title}", ""]
        for t in TABLES.values():
            if t.layer == layer:
                lines += _table_md(t)
    return "\n".join(lines).rstrip() + "\n"
