"""Regions by name as well as by code, resolved inside the engine.

A cell of a column with code list ``region`` may hold a GB/T 2260 code (320583) or a name as
analysts write it: 苏州市, 苏州, 昆山市, 姑苏区, 苏州市姑苏区, 江苏省, 苏州工业园区, 昆山开发区 ….
Once per load, :func:`build_region_names` writes the temp table :data:`REGION_NAMES` (one row
per spelling: the codes it stands for and a bilingual list of those candidates) from the store's
``regions`` table. :func:`region_code_expr` turns a cell into its code when the spelling stands for
exactly one region; an ambiguous spelling (鼓楼区 is 320106 in Nanjing and 320302 in Xuzhou) stays as
written and :func:`region_name_checks` refuses it with the candidates (rule ``ambiguous_region``);
an unknown one stays a code-list error, with the closest name suggested.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict

from .._duck import fetch_all

REGION_NAMES = "_jiqun_region_names"
#: Suffixes a name may be written without (longest first), e.g. 苏州 for 苏州市.
SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市", "区", "县")
#: Usual short forms of development-zone names, e.g. 昆山开发区 for 昆山经济技术开发区.
ZONE_SHORT_FORMS = (("高新技术产业开发区", ("高新区",)), ("经济技术开发区", ("经开区", "开发区")))
_CODE = "[0-9]{6}"


def _clean(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def _without_suffix(name: str) -> str | None:
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


def name_spellings(name: str, level: str, parent_name: str | None = None) -> set[str]:
    """The spellings under which a region is recognised in a file.

    Parameters
    ----------
    name : str
        Chinese name (``regions.name_zh``), e.g. 姑苏区.
    level : str
        ``regions.level``.
    parent_name : str, optional
        Chinese name of the enclosing prefecture city, for county-level divisions and zones.

    Returns
    -------
    set of str
        NFKC-normalised, without spaces: the name; the name without its suffix (苏州 for 苏州市, only
        if two characters remain); for counties and zones the city's name (with or without suffix) in
        front (苏州市姑苏区, 苏州姑苏区); for zones the usual short forms (苏州高新区, 昆山开发区).
    """
    name = _clean(name)
    out = {name}
    if level != "zone" and (short := _without_suffix(name)):
        out.add(short)
    if level == "zone":
        plain = name.replace("国家", "")
        out.add(plain)
        for long_form, short_forms in ZONE_SHORT_FORMS:
            if plain.endswith(long_form):
                out |= {plain[: -len(long_form)] + s for s in short_forms}
    if parent_name and level in ("county", "zone"):
        parent = _clean(parent_name)
        parents = {parent} | ({short_parent} if (short_parent := _without_suffix(parent)) else set())
        out |= {prefix + form for prefix in parents for form in list(out) if not form.startswith(prefix)}
    return {s for s in out if s}


def region_spellings(regions: list[tuple[str, str, str, str | None]]) -> dict[str, list[tuple[str, str, str]]]:
    """Spelling -> regions it stands for, as ``(code, name, parent name)``, from rows
    ``(region_code, name_zh, level, parent_code)`` of ``regions``."""
    names = {code: name for code, name, _, _ in regions}
    levels = {code: level for code, _, level, _ in regions}
    parents = {code: parent for code, _, _, parent in regions}
    found: dict[str, dict[str, tuple[str, str, str]]] = defaultdict(dict)
    for code, name, level, parent in regions:
        city = parents.get(parent) if levels.get(parent) == "county" else parent  # a zone inside a county
        city_name = names.get(city) if levels.get(city) == "prefecture" else None
        parent_label = names.get(parent, "") if parent else ""
        for spelling in name_spellings(name, level, city_name):
            found[spelling][code] = (code, name, parent_label)
    return {s: sorted(v.values()) for s, v in found.items()}


def build_region_names(con) -> None:
    """Create the temp table :data:`REGION_NAMES` (``name, code, n_codes, candidates``) from the
    store's ``regions``; ``code`` is set only where the spelling stands for one region."""
    regions = [tuple(r) for r in fetch_all(con, "SELECT region_code, name_zh, level, parent_code FROM regions")]
    rows = []
    for spelling, candidates in region_spellings(regions).items():
        code = candidates[0][0] if len(candidates) == 1 else None
        listed = ", ".join(f"{c} {n}" + (f" ({p})" if p else "") for c, n, p in candidates)
        rows.append((spelling, code, len(candidates), listed))
    fetch_all(con, f"CREATE OR REPLACE TEMP TABLE {REGION_NAMES} (name VARCHAR, code VARCHAR, n_codes INTEGER, "
             "candidates VARCHAR)")
    if rows:
        fetch_all(con, f"INSERT INTO {REGION_NAMES} SELECT r[1], r[2], CAST(r[3] AS INTEGER), r[4] "
                 "FROM (SELECT unnest(?::VARCHAR[][]) AS r)",
            [[[s, c, str(n), cand] for s, c, n, cand in rows]])


def _cleaned_sql(raw: str) -> str:
    # spaces, ideographic spaces and tabs removed (replace() is much cheaper than a regular expression)
    return f"replace(replace(replace({raw}, ' ', ''), '\u3000', ''), chr(9), '')"


def region_code_expr(raw: str) -> str:
    """SQL: the region code of a cell, a 6-digit code as written or the code of a name that stands for
    one region; any other text unchanged (the checks then report it)."""
    # A cheap byte test keeps codes away from the lookup (a regular expression per cell costs more than
    # the lookup itself): 6 bytes between '100000' and '999999'. A Chinese name never passes (its
    # first byte is above '9'); any other text that passes is left to the code-list check.
    return (f"(CASE WHEN {raw} IS NULL OR (strlen({raw}) = 6 AND {raw} BETWEEN '100000' AND '999999') "
            f"THEN {raw} ELSE "
            f"coalesce((SELECT n.code FROM {REGION_NAMES} n WHERE n.name = {_cleaned_sql(raw)} "
            f"AND n.n_codes = 1), {raw}) END)")


def ambiguous_sql(value: str) -> str:
    """SQL condition: ``value`` is a spelling that stands for several regions."""
    return f"EXISTS (SELECT 1 FROM {REGION_NAMES} a WHERE a.name = {_cleaned_sql(value)} AND a.n_codes > 1)"


def closest_name_sql(value: str) -> str:
    """SQL: the region spelling most similar to ``value`` (Jaro-Winkler), for a suggestion."""
    return (f"(SELECT arg_max(s.name, jaro_winkler_similarity(s.name, {_cleaned_sql(value)})) "
            f"FROM {REGION_NAMES} s)")


def region_checks(column: str, raw: str, typed: str, source: str) -> list[str]:
    """SELECTs (row, column, value, rule, message_en, message_zh) of a ``region`` column: a value
    that is neither a code in ``regions`` nor a name of exactly one region is refused, an ambiguous
    name with its candidates (``ambiguous_region``), anything else as ``codelist`` with the closest
    name when the value is text.

    ``raw`` and ``typed`` are the quoted raw and typed columns of the table ``source``."""
    from .errors import RULES

    value, code = f"_t.{raw}", f"_t.{typed}"
    lit_col = "'" + column.replace("'", "''") + "'"
    en, zh = RULES["ambiguous_region"]
    ambiguous = (
        f"SELECT _t._row, {lit_col}, {value}, 'ambiguous_region', "
        f"'{en}: ' || {value} || ' may be ' || a.candidates || '; write the code or the full name', "
        f"'{zh}：' || {value} || ' 可能是 ' || a.candidates || '；请填写代码或完整名称' "
        f"FROM {source} AS _t JOIN {REGION_NAMES} a ON a.name = {_cleaned_sql(code)} AND a.n_codes > 1")
    en, zh = RULES["codelist"]
    closest = closest_name_sql(value)
    hint_en = (f"CASE WHEN regexp_full_match({value}, '{_CODE}') THEN '' ELSE "
               f"coalesce('; closest name: ' || {closest}, '') END")
    hint_zh = (f"CASE WHEN regexp_full_match({value}, '{_CODE}') THEN '' ELSE "
               f"coalesce('；最接近的名称：' || {closest}, '') END")
    unknown = (
        f"SELECT _t._row, {lit_col}, {value}, 'codelist', "
        f"'{en}: not found in regions.region_code (a GB/T 2260 code or a region name)' || {hint_en}, "
        f"'{zh}：不在 regions.region_code 中（须为行政区划代码或地区名称）' || {hint_zh} "
        f"FROM {source} AS _t WHERE {code} IS NOT NULL "
        f"AND NOT EXISTS (SELECT 1 FROM regions r WHERE r.region_code = {code}) "
        f"AND NOT {ambiguous_sql(code)}")
    return [ambiguous, unknown]
