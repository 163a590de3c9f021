"""Validation inside the engine: every rule is one relational query over the staged file.

The staged text table (``c0 … cN``) becomes a typed temp table ``TYPED`` whose
columns carry the declared English names (typed, unit-converted, defaults
applied) and ``_raw_<name>`` (the text as it arrived, for error messages).
Each rule is an ``INSERT INTO PROBLEMS SELECT …`` over it, so millions of rows
are checked without a Python loop.
"""

from __future__ import annotations

from .._duck import fetch_all

from .. import settings

from ..codes import uscc_valid_sql
from ..schema.ddl import quote
from ..schema.model import Column, Table
from .errors import RULES
from .headers import Mapping
from .readers import STAGE
from .regions import build_region_names, region_checks, region_code_expr

TYPED = "_jiqun_typed"
PROBLEMS = "_jiqun_problems"

_TRUE = ("true", "t", "1", "1.0", "yes", "y", "是", "真", "√")
_FALSE = ("false", "f", "0", "0.0", "no", "n", "否", "假", "×")
#: A cell starting with + or - that is a plain (signed) number is not a formula: -5, -1.5e3, +1,234.5万.
_SIGNED_NUMBER = (r"[+-](([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"
                  r"(百万元|千元|万元|亿元|元|百万|千|万|亿|%)?")
#: Unit suffixes of money cells (1500.00万, 3.2亿, 800元, 1.5万元), longest first, with their factor to yuan.
MONEY_SUFFIXES = (("百万元", 1_000_000), ("千元", 1_000), ("万元", 10_000), ("亿元", 100_000_000), ("元", 1),
                  ("百万", 1_000_000), ("千", 1_000), ("万", 10_000), ("亿", 100_000_000))
#: Full-width digits and punctuation (NFKC) in cells that hold numbers, codes, dates or flags.
#: Full-width forms U+FF01-U+FF5E (digits, Latin letters, punctuation) and the ideographic space, and
#: the ASCII characters NFKC maps them to: codes typed on a Chinese keyboard (９１３２…ＭＡ…) become
#: the codes they spell.
_FULL_WIDTH = "".join(chr(code) for code in range(0xFF01, 0xFF5F)) + "\u3000"
_HALF_WIDTH = "".join(chr(code) for code in range(0x21, 0x7F)) + " "
_TRIMMED = " \t\r\n\u3000"
#: Store tables behind each code list: (table, key column).
CODE_TABLES = {
    "region": ("regions", "region_code"),
    "industry": ("industries", "industry_code"),
    "country": ("countries", "country_code"),
    "cluster": ("clusters", "cluster_id"),
    "chain_node": ("chain_nodes", "node_id"),
    "organization": ("organizations", "organization_id"),
}


def lit(text: str) -> str:
    """SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def raw_name(column: str) -> str:
    return quote("_raw_" + column)


def _number_expr(raw: str) -> str:
    # NaN and ±inf parse as DOUBLE but are not numbers a source file can mean: type problems.
    # (DuckDB evaluates the repeated sub-expression once.) Thousands separators are removed.
    parsed = f"TRY_CAST(CASE WHEN contains({raw}, ',') THEN replace({raw}, ',', '') ELSE {raw} END AS DOUBLE)"
    return f"(CASE WHEN isfinite({parsed}) THEN {parsed} END)"


def money_expr(raw: str, factor: float) -> str:
    """Yuan from a money cell: a unit suffix (``1500.00万``, ``3.2亿``) wins over the header's ``factor``."""
    pattern = "(" + "|".join(name for name, _ in MONEY_SUFFIXES) + ")$"
    suffix = f"regexp_extract({raw}, {lit(pattern)}, 1)"
    factors = " ".join(f"WHEN {lit(name)} THEN {value}" for name, value in MONEY_SUFFIXES)
    stripped = f"left({raw}, length({raw}) - length({suffix}))"
    plain = _number_expr(raw) if factor == 1.0 else f"{_number_expr(raw)} * {factor!r}"
    # The suffix test runs only on cells with non-ASCII characters (right() is costly on every cell).
    return (f"(CASE WHEN strlen({raw}) <> length({raw}) AND right({raw}, 1) IN ('元', '万', '亿', '千') "
            f"THEN {_number_expr(stripped)} * (CASE {suffix} {factors} END) ELSE {plain} END)")


def normalized_text(cell: str, col: Column) -> str:
    """SQL of a staged cell trimmed; in number, code and enum columns full-width characters are made ASCII
    (as NFKC does). Names and addresses keep their full-width brackets, as registered."""
    # Only cells with non-ASCII characters (byte length differs from character length) pay for
    # translate() and the wider trim: on the usual all-ASCII number cells they cost 10x a trim().
    if col.type != "text" or col.uscc or col.codelist or col.enum:
        wide = f"trim(translate(trim({cell}, {lit(_TRIMMED)}), {lit(_FULL_WIDTH)}, {lit(_HALF_WIDTH)}))"
    else:
        wide = f"trim({cell}, {lit(_TRIMMED)})"
    return f"(CASE WHEN strlen({cell}) = length({cell}) THEN trim({cell}) ELSE {wide} END)"


def missing_to_null(text: str, markers: list[str]) -> str:
    """SQL of a normalised cell with empty text and the missing-value ``markers`` as NULL."""
    if not markers:
        return f"NULLIF({text}, '')"
    listed = ", ".join(lit(m) for m in markers)
    longest = max(len(m.encode("utf-8")) for m in markers)  # strlen (bytes) is the cheap guard
    return f"(CASE WHEN strlen({text}) <= {longest} AND {text} IN ({listed}) THEN NULL ELSE NULLIF({text}, '') END)"


def clean_cell(cell: str, col: Column, markers: list[str]) -> str:
    """SQL of a staged cell as typed: trimmed, full-width digits made ASCII, missing markers NULL."""
    return missing_to_null(normalized_text(cell, col), markers)


def _typed_expr(col: Column, raw: str) -> str:
    number = _number_expr(raw)
    if col.type == "text":
        if col.enum:
            cases = " ".join(
                f"WHEN {lit(s.lower())} THEN {lit(value)}" for value, spellings in col.enum.items() for s in
                dict.fromkeys((value, *spellings))
            )
            return f"(CASE lower({raw}) {cases} END)"
        if col.uscc or col.codelist in ("country", "ipc"):
            return f"upper({raw})"
        if col.codelist == "region" and not col.multi:  # a code, or a region's name (苏州市, 姑苏区 …)
            return region_code_expr(raw)
        if col.codelist == "hs6":
            # Excel drops the leading zero of chapters 01-09.
            return f"(CASE WHEN regexp_full_match({raw}, '[0-9]{{5}}') THEN '0' || {raw} ELSE {raw} END)"
        return raw
    if col.type in ("integer", "bigint"):
        # TRY_CAST: a whole number beyond the type's range is a type problem, not an engine error.
        return f"(CASE WHEN {number} = round({number}) THEN TRY_CAST({number} AS {col.storage_type}) END)"
    if col.type == "double":
        return money_expr(raw, 1.0) if col.is_money else number
    if col.type == "date":
        return (
            f"COALESCE(TRY_CAST({raw} AS DATE), TRY_CAST(TRY_STRPTIME({raw}, '%Y/%m/%d') AS DATE), "
            f"TRY_CAST(TRY_STRPTIME({raw}, '%Y%m%d') AS DATE), TRY_CAST(TRY_STRPTIME({raw}, '%Y年%m月%d日') AS DATE), "
            f"TRY_CAST(TRY_STRPTIME({raw}, '%Y.%m.%d') AS DATE), TRY_CAST(TRY_CAST({raw} AS TIMESTAMP) AS DATE))"
        )
    if col.type == "timestamp":
        return f"TRY_CAST({raw} AS TIMESTAMP)"
    if col.type == "boolean":
        true_words = ", ".join(lit(v) for v in _TRUE)
        false_words = ", ".join(lit(v) for v in _FALSE)
        return (f"(CASE WHEN lower({raw}) IN ({true_words}) THEN true "
                f"WHEN lower({raw}) IN ({false_words}) THEN false END)")
    raise ValueError(col.type)


def build_typed(con, table: Table, mappings: list[Mapping], row_expr: str = "(rowid + 2)",
                missing_markers: list[str] | None = None) -> None:
    """Create the typed temp table from the staged text table.

    ``row_expr`` gives a staged row's file row number; cells equal to one of ``missing_markers``
    (default: the ``missing_markers`` setting) are missing values.
    """
    markers = settings.get_list("missing_markers") if missing_markers is None else missing_markers
    by_name = {m.column.name: m for m in mappings}
    if any(c.codelist == "region" for c in table.input_columns):
        build_region_names(con)  # the spellings of region names, once per load
    # Three levels, so that each expression is computed once per cell: normalised text, then
    # missing markers to NULL (the ``_raw_`` columns), then the typed values.
    texts, select = [f"{row_expr} AS _row"], ["_row"]
    for col in table.input_columns:
        mapping = by_name.get(col.name)
        text = quote("_n_" + col.name)
        normalized = normalized_text(f"c{mapping.position}", col) if mapping else "CAST(NULL AS VARCHAR)"
        texts.append(f"{normalized} AS {text}")
        select.append(f"{missing_to_null(text, markers) if mapping else text} AS {raw_name(col.name)}")
    inner = f"{', '.join(select)} FROM (SELECT {', '.join(texts)} FROM {STAGE})"
    outer = ["_row"] + [raw_name(c.name) for c in table.input_columns]
    for col in table.input_columns:
        mapping = by_name.get(col.name)
        if col.is_money:
            expr = money_expr(raw_name(col.name), mapping.factor if mapping else 1.0)
        else:
            expr = _typed_expr(col, raw_name(col.name))
            if mapping and mapping.factor != 1.0:
                expr = f"({expr}) * {mapping.factor!r}"
        if col.default is not None:
            expr = f"COALESCE({expr}, CAST({col.default} AS {col.storage_type}))"
        outer.append(f"CAST({expr} AS {col.storage_type}) AS {quote(col.name)}")
    # ``_row`` is taken from the staged table's rowid inside this query, and everything downstream
    # orders by ``_row`` explicitly: the typed table's physical order does not matter, and letting
    # DuckDB write it out of order is much faster on large files.
    previous = fetch_all(con, "SELECT current_setting('preserve_insertion_order')")[0][0]
    fetch_all(con, "SET preserve_insertion_order = false")
    try:
        fetch_all(con,
            f"CREATE OR REPLACE TEMP TABLE {TYPED} AS SELECT {', '.join(outer)} FROM (SELECT {inner})"
        )
    finally:
        fetch_all(con, f"SET preserve_insertion_order = {'true' if previous else 'false'}")


def _problem_select(column: str, value: str, rule: str, where: str, detail_en: str = "",
                    detail_zh: str = "", source: str = TYPED) -> str:
    en, zh = RULES[rule]
    msg_en = lit(f"{en}: {detail_en}" if detail_en else en)
    msg_zh = lit(f"{zh}：{detail_zh}" if detail_zh else zh)
    return (f"SELECT _row, {lit(column)}, CAST({value} AS VARCHAR), {lit(rule)}, {msg_en}, {msg_zh} "
            f"FROM {source} WHERE {where}")


def _fused_select(row_checks: list[tuple]) -> str:
    """One scan of ``TYPED`` for many per-row checks (instead of one scan per check).

    Each check is ``(column, value, rule, where, detail_en, detail_zh)`` as for
    :func:`_problem_select`; the problems found are the same, row by row.
    """
    cases, wheres = [], []
    for column, value, rule, where, detail_en, detail_zh in row_checks:
        en, zh = RULES[rule]
        msg_en = lit(f"{en}: {detail_en}" if detail_en else en)
        msg_zh = lit(f"{zh}：{detail_zh}" if detail_zh else zh)
        cases.append(f"CASE WHEN {where} THEN {{'c': {lit(column)}, 'v': CAST({value} AS VARCHAR), "
                     f"'r': {lit(rule)}, 'e': {msg_en}, 'z': {msg_zh}}} END")
        wheres.append(f"({where})")
    return (f"SELECT _row, _p.c, _p.v, _p.r, _p.e, _p.z FROM (SELECT _row, unnest([{', '.join(cases)}]) AS _p "
            f"FROM {TYPED} WHERE {' OR '.join(wheres)}) WHERE _p IS NOT NULL")


def _row_checks(table: Table, present: set[str], max_cell_chars: int) -> list[tuple]:
    """Checks that look at one row only: ``(column, value, rule, where, detail_en, detail_zh)``."""
    out: list[tuple] = []
    for col in table.input_columns:
        name, raw, typed = col.name, raw_name(col.name), quote(col.name)
        if col.required and col.default is None:
            out.append((name, raw, "required", f"{raw} IS NULL",
                        f"{name} ({col.zh}) must be filled", f"{col.zh}（{name}）不能为空"))
        if name not in present:
            continue
        limit = min(col.max_length or max_cell_chars, max_cell_chars)
        out.append((name, f"left({raw}, 80) || '…'", "too_long", f"length({raw}) > {limit}",
                    f"more than {limit} characters", f"超过{limit}个字符"))
        if not col.enum:
            # the cheap first-character test spares the regular expression on almost every cell
            out.append((name, raw, "formula",
                        f"left({raw}, 1) IN ('=', '@', '+', '-') AND (left({raw}, 1) IN ('=', '@') "
                        f"OR NOT regexp_full_match({raw}, {lit(_SIGNED_NUMBER)}))",
                        "cells starting with = + - @ are refused (formula injection)",
                        "以 = + - @ 开头的单元格被拒绝（公式注入）"))
        if col.type != "text":
            kind = {"integer": "a whole number", "bigint": "a whole number", "double": "a number",
                    "date": "a date (YYYY-MM-DD)", "timestamp": "a date and time",
                    "boolean": "true/false or 是/否"}[col.type]
            kind_zh = {"integer": "整数", "bigint": "整数", "double": "数值", "date": "日期（YYYY-MM-DD）",
                       "timestamp": "日期时间", "boolean": "是/否"}[col.type]
            # Without a default the typed column is NULL exactly when the text does not parse
            # (unit factors keep NULL as NULL); with a default the parse is repeated.
            parsed = typed if col.default is None else _typed_expr(col, raw)
            bad = f"{raw} IS NOT NULL AND {parsed} IS NULL"
            out.append((name, raw, "type", bad, f"{name} must be {kind}", f"{col.zh}应为{kind_zh}"))
        if col.enum:
            allowed = ", ".join(col.enum)
            # Analysts read the Chinese message: show the first Chinese spelling beside each value.
            allowed_zh = "、".join(
                next((f"{s}({v})" for s in spellings if not s.isascii()), v) for v, spellings in col.enum.items())
            out.append((name, raw, "enum", f"{raw} IS NOT NULL AND {typed} IS NULL",
                        f"{name} must be one of {allowed}", f"{col.zh}须为：{allowed_zh}"))
        if col.uscc:
            out.append((name, raw, "uscc", f"{typed} IS NOT NULL AND NOT {uscc_valid_sql(typed)}",
                        "18 characters from 0-9 A-Y (no I O S V Z) with a correct check character",
                        "须为18位且校验码正确"))
        if col.pattern:
            out.append((name, raw, "pattern", f"{typed} IS NOT NULL AND NOT regexp_full_match({typed}, {lit(col.pattern)})",
                        f"must match {col.pattern}", f"须符合格式 {col.pattern}"))
        if col.min is not None:
            out.append((name, raw, "range", f"{typed} < {col.min!r}",
                        f"{name} below the minimum {col.min:g}", f"{col.zh}低于最小值{col.min:g}"))
        if col.max is not None:
            out.append((name, raw, "range", f"{typed} > {col.max!r}",
                        f"{name} above the maximum {col.max:g}", f"{col.zh}高于最大值{col.max:g}"))
        if col.not_future:
            out.append((name, raw, "future_date", f"{typed} > current_date",
                        "dates after today are refused", "日期不能晚于今天"))
    for rule in table.rules:
        # the typed value when no text arrived: a default, or the stored value of a partial update
        value = " || ' / ' || ".join(f"coalesce({raw_name(c)}, CAST({quote(c)} AS VARCHAR), '')"
                                     for c in rule.columns)
        out.append((", ".join(rule.columns), value, "rule", f"NOT ({rule.sql})",
                    f"{rule.name}: {rule.message_en}", f"{rule.name}：{rule.message_zh}"))
    return out


def checks(table: Table, present: set[str], max_cell_chars: int, mode: str) -> list[str]:
    """Return the SELECTs that list problems (row, column, value, rule, message_en, message_zh).

    One SELECT per per-column check, then the code-list checks (cross-field rules are in
    :func:`rule_checks`). :func:`run_checks` runs the per-row ones fused into one scan.
    """
    out = [_problem_select(*c) for c in _row_checks(table, present, max_cell_chars) if c[2] != "rule"]
    for col in table.input_columns:
        if col.codelist and col.name in present:
            out.extend(_codelist_checks(col))
    return out


def _codelist_checks(col: Column) -> list[str]:
    name, raw, typed = col.name, raw_name(col.name), quote(col.name)
    if col.codelist == "region" and not col.multi:
        return region_checks(name, raw, typed, TYPED)
    if col.multi:
        source = f"(SELECT _row, {raw} AS _raw, trim(unnest(string_split({typed}, ';'))) AS _code FROM {TYPED} " \
                 f"WHERE {typed} IS NOT NULL)"
        code = "_code"
    else:
        # Alias the staged table: an unqualified name would resolve to the code table's own
        # column of the same name inside the subquery (region_code = region_code: always true).
        source, code = f"{TYPED} AS _t", f"_t.{typed}"
    if col.codelist in CODE_TABLES:
        ref, key = CODE_TABLES[col.codelist]
        cond = f"{code} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {quote(ref)} r WHERE r.{quote(key)} = {code})"
        detail_en, detail_zh = f"not found in {ref}.{key}", f"不在 {ref}.{key} 中"
    elif col.codelist == "hs6":
        cond = (f"{code} IS NOT NULL AND NOT (regexp_full_match({code}, '[0-9]{{6}}') AND EXISTS "
                f"(SELECT 1 FROM hs_chapters h WHERE h.chapter = substr({code}, 1, 2)))")
        detail_en, detail_zh = "6 digits whose chapter (first 2) is an HS chapter", "须为6位数字且前两位为HS章"
    elif col.codelist == "ipc":
        from ..schema.vocab import IPC_PATTERN

        cond = (f"{code} IS NOT NULL AND NOT (regexp_full_match({code}, {lit(IPC_PATTERN)}) AND EXISTS "
                f"(SELECT 1 FROM ipc_technology_fields f WHERE substr(f.ipc, 1, 4) = substr({code}, 1, 4)))")
        detail_en, detail_zh = "IPC subclass, group or symbol such as H01L, H01L 21 or H01L 21/02 in a WIPO technology field", \
            "须为IPC分类号（如 H01L、H01L 21 或 H01L 21/02）"
    else:  # pragma: no cover - guarded by Column.__post_init__
        raise ValueError(col.codelist)
    value = "_code" if col.multi else raw
    return [_problem_select(name, value, "codelist", cond, detail_en, detail_zh, source=source)]


def key_checks(table: Table, mode: str) -> list[str]:
    """Duplicate keys within the file and (insert mode) against the store."""
    if not table.primary_key:
        return []
    keys = ", ".join(quote(k) for k in table.primary_key)
    not_null = " AND ".join(f"{quote(k)} IS NOT NULL" for k in table.primary_key)
    value = " || '|' || ".join(f"CAST({quote(k)} AS VARCHAR)" for k in table.primary_key)
    label = ", ".join(table.primary_key)
    en, zh = RULES["duplicate_key_in_file"]
    # Aggregate first (cheap), then join back only the keys that occur more than once.
    join_d = " AND ".join(f"t.{quote(k)} = d.{quote(k)}" for k in table.primary_key)
    t_value = " || '|' || ".join(f"CAST(t.{quote(k)} AS VARCHAR)" for k in table.primary_key)
    out = [
        f"SELECT t._row, {lit(label)}, {t_value}, 'duplicate_key_in_file', "
        f"{lit(en + ': same key as row ')} || d._first, {lit(zh + '：与第')} || d._first || '行相同' "
        f"FROM {TYPED} t JOIN (SELECT {keys}, min(_row) AS _first FROM {TYPED} WHERE {not_null} "
        f"GROUP BY {keys} HAVING count(*) > 1) d ON {join_d} WHERE t._row > d._first"
    ]
    if mode == "insert":
        join = " AND ".join(f"s.{quote(k)} = t.{quote(k)}" for k in table.primary_key)
        en, zh = RULES["duplicate_key_in_store"]
        out.append(
            f"SELECT _row, {lit(label)}, {value}, 'duplicate_key_in_store', {lit(en)}, {lit(zh)} FROM {TYPED} t "
            f"WHERE {not_null} AND EXISTS (SELECT 1 FROM {quote(table.name)} s WHERE {join})"
        )
    return out


def foreign_key_checks(table: Table) -> list[str]:
    out = []
    for fk in table.foreign_keys:
        join = " AND ".join(f"r.{quote(rc)} = t.{quote(c)}" for c, rc in zip(fk.columns, fk.ref_columns))
        cond = " AND ".join(f"t.{quote(c)} IS NOT NULL" for c in fk.columns)
        cond += f" AND NOT EXISTS (SELECT 1 FROM {quote(fk.ref_table)} r WHERE {join})"
        if fk.ref_table == table.name:  # self reference: the file's own rows count too
            cond += f" AND NOT EXISTS (SELECT 1 FROM {TYPED} r WHERE {join})"
        if fk.when:
            cond += f" AND ({fk.when})"
        label = ", ".join(fk.columns)
        value = " || '|' || ".join(f"CAST(t.{quote(c)} AS VARCHAR)" for c in fk.columns)
        target = f"{fk.ref_table}.{', '.join(fk.ref_columns)}"
        en, zh = RULES["foreign_key"]
        out.append(
            f"SELECT t._row, {lit(label)}, {value}, 'foreign_key', {lit(f'{en}: no {target} for this value')}, "
            f"{lit(f'{zh}：{target} 中没有该值')} FROM {TYPED} t WHERE {cond}"
        )
    return out


def rule_checks(table: Table) -> list[str]:
    out = []
    for rule in table.rules:
        value = " || ' / ' || ".join(f"coalesce({raw_name(c)}, '')" for c in rule.columns)
        out.append(_problem_select(", ".join(rule.columns), value, "rule", f"NOT ({rule.sql})",
                                   f"{rule.name}: {rule.message_en}", f"{rule.name}：{rule.message_zh}"))
    return out


def run_checks(con, table: Table, present: set[str], max_cell_chars: int, mode: str) -> None:
    """Fill the temp table ``PROBLEMS`` with every problem of the typed file."""
    fetch_all(con, 
        f"CREATE OR REPLACE TEMP TABLE {PROBLEMS} (row BIGINT, \"column\" VARCHAR, value VARCHAR, "
        f"rule VARCHAR, message_en VARCHAR, message_zh VARCHAR)"
    )
    row_checks = _row_checks(table, present, max_cell_chars)
    statements = [_fused_select(row_checks)] if row_checks else []
    statements += [sql for col in table.input_columns if col.codelist and col.name in present
                   for sql in _codelist_checks(col)]
    statements += key_checks(table, mode) + foreign_key_checks(table)
    for sql in statements:
        fetch_all(con, f"INSERT INTO {PROBLEMS} {sql}")
