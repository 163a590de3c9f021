"""Map a file's headers (Chinese or English, with units) to a table's columns.

Accepted spellings of a column: its English name, its Chinese name, its
aliases; for money columns (stored in yuan) also the name without ``_yuan``
followed by a unit, in brackets (``营业收入（万元）``, ``revenue (亿元)``) or as an
English suffix (``revenue_10k_yuan``). A money header without a unit is taken
as yuan. The conversion factor is applied once, at ingest.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from ..schema.model import MONEY_UNITS, Column, Table
from .errors import IngestError, Problem, RULES

_BRACKETED_UNIT = re.compile(r"^(.*?)\s*[\(\[]\s*([^()\[\]]+?)\s*[\)\]]$")
#: Units accepted (and ignored) on non-money columns, by stored unit.
_PLAIN_UNITS = {
    "persons": {"人", "persons", "person", "people"},
    "USD": {"美元", "usd", "us$", "$"},
}
_ENGLISH_UNITS = sorted((u for u in MONEY_UNITS if u.isascii()), key=len, reverse=True)


def normalize(header: str) -> str:
    """Normalise a header: NFKC (full-width to ASCII), lower case, spaces to ``_``.

    Spaces and line breaks next to a Chinese character are dropped: Excel headers are often wrapped
    (``从业人员⏎平均人数``, ``营业收入 （万元）``).
    """
    text = unicodedata.normalize("NFKC", header or "").strip().lower()
    text = re.sub(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])", "", text)
    text = re.sub(r"\s+", "_", text)
    return text.replace("（", "(").replace("）", ")")


@dataclass(frozen=True)
class Mapping:
    """Position in the file -> column, with the factor that converts to the stored unit."""

    position: int
    header: str
    column: Column
    factor: float


def _names(column: Column) -> set[str]:
    from ..schema.synonyms import column_synonyms  # header synonyms as data (schema/data/header_synonyms.csv)

    names = {normalize(column.name), normalize(column.zh)}
    names |= {normalize(a) for a in column.aliases}
    names |= {normalize(s) for s in column_synonyms(column)}
    if column.is_money and column.name.endswith("_yuan"):
        names.add(normalize(column.name[: -len("_yuan")]))
    return names


def header_lookup(table: Table) -> dict[str, Column]:
    """Every accepted (normalised) spelling of ``table``'s input columns -> the column."""
    lookup: dict[str, Column] = {}
    for column in table.input_columns:
        for name in _names(column):
            lookup.setdefault(name, column)
    return lookup


def match_header(lookup: dict[str, Column], header: str) -> tuple[Column | None, float | None, str | None]:
    """Resolve one header against ``lookup`` (from :func:`header_lookup`) without raising.

    Returns
    -------
    column : Column or None
        The column the header names (None: an unknown header).
    factor : float or None
        Factor to the stored unit; None when the header's unit is not allowed for the column.
    unit : str or None
        The unit written in the header, if any.
    """
    key = normalize(header)
    column = lookup.get(key)
    if column is not None:
        return column, 1.0, None
    match = _BRACKETED_UNIT.match(key)
    # normalize() turned the space of "revenue (亿元)" into "_": strip it from the name part.
    base = match.group(1).rstrip("_") if match else None
    if match and base in lookup:
        column, unit = lookup[base], match.group(2)
        return column, _factor(column, unit), unit
    for unit in _ENGLISH_UNITS:
        stem = key[: -len(unit) - 1]
        if key.endswith("_" + unit) and stem in lookup and lookup[stem].is_money:
            return lookup[stem], float(MONEY_UNITS[unit]), unit
    return None, None, None


def has_own_unit(lookup: dict[str, Column], header: str) -> bool:
    """Whether a money header states its unit (``营业收入（万元）``, ``revenue_yuan``) rather than none."""
    key = normalize(header)
    column = lookup.get(key)
    if column is None:
        return match_header(lookup, header)[0] is not None
    return column.is_money and key == normalize(column.name) and column.name.endswith("_yuan")


def map_headers(table: Table, headers: list[str], file: str) -> tuple[list[Mapping], list[str]]:
    """Resolve ``headers`` against ``table``.

    Returns
    -------
    mappings : list of Mapping
    ignored : list of str
        Headers that match no column (reported, not loaded).

    Raises
    ------
    IngestError
        Missing required columns, two headers for one column, or a unit that the
        column does not accept.
    """
    lookup = header_lookup(table)
    mappings: list[Mapping] = []
    ignored: list[str] = []
    problems: list[Problem] = []
    for position, header in enumerate(headers):
        if not normalize(header):
            continue
        column, factor, unit = match_header(lookup, header)
        if column is not None and factor is None:
            problems.append(_unit_problem(file, header, column, unit))
            continue
        if column is None:
            ignored.append(header)
            continue
        mappings.append(Mapping(position, header, column, factor))

    seen: dict[str, Mapping] = {}
    for mapping in mappings:
        if mapping.column.name in seen:
            en, zh = RULES["duplicate_column"]
            problems.append(Problem(
                file, 1, mapping.header, mapping.header, "duplicate_column",
                f"{en}: {seen[mapping.column.name].header!r} and {mapping.header!r} are both {mapping.column.name}",
                f"{zh}：{seen[mapping.column.name].header!r} 与 {mapping.header!r} 都对应 {mapping.column.name}"))
        else:
            seen[mapping.column.name] = mapping
    for column in table.input_columns:
        if column.required and column.name not in seen and column.default is None:
            problems.append(_missing_problem(file, column, headers, ignored))
    if problems:
        raise IngestError(file, problems)
    return list(seen.values()), ignored


def _factor(column: Column, unit: str) -> float | None:
    unit = unit.strip().lower()
    if column.is_money:
        for name, factor in MONEY_UNITS.items():
            if unit == name.lower():
                return float(factor)
        return None
    accepted = _PLAIN_UNITS.get(column.unit or "", set())
    return 1.0 if unit in accepted else None


def _unit_problem(file: str, header: str, column: Column, unit: str) -> Problem:
    en, zh = RULES["unit"]
    allowed = "元, 千元, 万元, 百万元, 亿元" if column.is_money else (column.unit or "none")
    return Problem(file, 1, header, unit, "unit",
                   f"{en}: {column.name} accepts {allowed}, not {unit!r}",
                   f"{zh}：{column.zh} 可用单位为 {allowed}，不是 {unit!r}")


def _missing_problem(file: str, column: Column, headers: list[str], ignored: list[str]) -> Problem:
    """A missing required column, with the headers the file has and the ones that resemble it."""
    en, zh = RULES["missing_column"]
    found = [h for h in headers if normalize(h)]
    shown = ", ".join(found[:12]) + (" …" if len(found) > 12 else "") if found else "none"
    names = sorted(_names(column))
    close = []
    for header in ignored:
        key = normalize(header)
        if difflib.get_close_matches(key, names, n=1, cutoff=0.6):
            close.append(header)
    hint_en = f"; closest in the file: {', '.join(close)} (rename it to {column.zh})" if close else ""
    hint_zh = f"；文件中最接近的列：{'、'.join(close)}（请改名为 {column.zh}）" if close else ""
    return Problem(
        file, 1, column.name, None, "missing_column",
        f"{en}: no {column.zh} ({column.name}) — {column.description}; found: {shown}{hint_en}; "
        f"known names: {', '.join([column.zh, column.name, *column.aliases])}",
        f"{zh}：缺少 {column.zh}（{column.name}）；文件中的列：{shown}{hint_zh}；"
        f"可用名称：{'、'.join([column.zh, column.name, *column.aliases])}")
