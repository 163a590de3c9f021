"""How numbers are shown to analysts: display units and readable text for terminal tables.

Stored values keep their base units (yuan, ratios 0-1, counts). For people, money is shown
in 亿元 (100 million yuan) with thousands separators, ratios as percentages, counts as
integers; never in scientific notation. The catalogue's ``unit`` strings (``yuan``,
``ratio``, ``firms`` …) map to a :class:`DisplayUnit`. Pure functions, no I/O.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

#: Kinds of display: how a value is scaled and formatted.
KINDS = ("money", "share", "count", "decimal")


@dataclass(frozen=True)
class DisplayUnit:
    """How values of one stored unit are shown.

    Attributes
    ----------
    label_zh, label_en : str
        The unit as shown (e.g. 亿元 / 100m yuan); empty for a pure index.
    kind : str
        One of :data:`KINDS`.
    divisor : float
        Stored value / divisor = shown value (1e8 for yuan shown in 亿元).
    decimals : int
        Decimals shown (for shares: decimals of the percentage).
    excel_format : str
        The matching Excel number format (applied to the divided value).
    """

    label_zh: str
    label_en: str
    kind: str
    divisor: float = 1.0
    decimals: int = 0
    excel_format: str = "#,##0"


MONEY_YI = DisplayUnit("亿元", "100m yuan", "money", 1e8, 2, "#,##0.00")
MONEY_WAN = DisplayUnit("万元", "10k yuan", "money", 1e4, 1, "#,##0.0")
SHARE = DisplayUnit("%", "%", "share", 1.0, 1, "0.0%")
INDEX = DisplayUnit("", "index", "decimal", 1.0, 3, "#,##0.000")

#: Catalogue unit -> display unit.
UNITS: dict[str, DisplayUnit] = {
    "yuan": MONEY_YI,
    "yuan_wan": MONEY_WAN,
    "ratio": SHARE,
    "index": INDEX,
    "firms": DisplayUnit("家", "firms", "count"),
    "persons": DisplayUnit("人", "persons", "count"),
    "applications": DisplayUnit("件", "applications", "count"),
    "registrations": DisplayUnit("件", "registrations", "count"),
    "applications per 10,000 persons": DisplayUnit("件/万人", "per 10,000 persons", "decimal", 1.0, 2, "#,##0.00"),
    "grants per 10,000 persons": DisplayUnit("件/万人", "per 10,000 persons", "decimal", 1.0, 2, "#,##0.00"),
    "applications per 100m yuan": DisplayUnit("件/亿元", "per 100m yuan", "decimal", 1.0, 2, "#,##0.00"),
    "grants per 100m yuan": DisplayUnit("件/亿元", "per 100m yuan", "decimal", 1.0, 2, "#,##0.00"),
}


def display_unit(unit: str | None) -> DisplayUnit:
    """The :class:`DisplayUnit` of a catalogue unit (unknown units: shown as decimals, unit kept)."""
    if unit in UNITS:
        return UNITS[unit]
    return DisplayUnit(unit or "", unit or "", "decimal", 1.0, 3, "#,##0.000")


def is_missing(value) -> bool:
    """True for None, NaN and pandas' NA."""
    if value is None:
        return True
    try:
        return bool(value != value) or (isinstance(value, float) and math.isnan(value))
    except TypeError:  # pandas.NA compares to NA
        return True


def json_scalar(value):
    """A JSON-ready scalar: numpy numbers as Python numbers, NaN / NA as None, anything else as it is."""
    if is_missing(value):
        return None
    return value.item() if hasattr(value, "item") else value


def shown_value(value, unit: str | None) -> float | None:
    """The number as shown (divided into the display unit), or None when missing."""
    if is_missing(value):
        return None
    return float(value) / display_unit(unit).divisor


def format_value(value, unit: str | None, with_unit: bool = False, missing: str = "—") -> str:
    """Readable text of a stored value: 亿元 with thousands separators, shares as %, counts as integers.

    Parameters
    ----------
    value : float, int or None
        In the stored unit (yuan, ratio 0-1, count …).
    unit : str
        The catalogue unit (``yuan``, ``ratio``, ``firms``, ``index`` …).
    with_unit : bool
        Append the display unit (``7.36 亿元``; a share always carries its ``%``).
    missing : str
        Text for a missing value.

    Examples
    --------
    >>> format_value(735_700_000, "yuan", with_unit=True)
    '7.36 亿元'
    >>> format_value(0.1234, "ratio")
    '12.3%'
    >>> format_value(1234.0, "firms")
    '1,234'
    """
    if is_missing(value):
        return missing
    du = display_unit(unit)
    number = float(value) / du.divisor
    if du.kind == "share":
        return f"{number * 100:,.{du.decimals}f}%"
    text = f"{number:,.{du.decimals}f}"
    if text in ("-0", "-0.0", "-0.00", "-0.000"):
        text = text[1:]
    return f"{text} {du.label_zh}" if with_unit and du.label_zh else text


def unit_label(unit: str | None) -> str:
    """Bilingual label of a catalogue unit as shown, e.g. ``亿元 100m yuan`` or ``% share``."""
    du = display_unit(unit)
    if du.kind == "share":
        return "% 百分比"
    if not du.label_zh:
        return du.label_en
    return f"{du.label_zh} {du.label_en}"


def display_width(text) -> int:
    """Columns a text takes in a terminal or spreadsheet (CJK and full-width characters count double)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in str(text))
