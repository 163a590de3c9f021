"""Magnitude checks on firm-years (rule ``outlier``), in the engine.

A unit slip (a 万元 column read as 元, an 亿元 line missed) does not break any
type or range rule: it makes a value 10,000x too small. Two checks catch it:

* a money value more than ``outlier_ratio`` (default 1,000) times above or below
  the median of the same firm's other years, taken from the file and the store
  (a store year the file also holds counts with the file's value);
* revenue per employee outside [``revenue_per_employee_min_yuan``,
  ``revenue_per_employee_max_yuan``] (default 1,000 to 10⁹ yuan a year), with
  revenue or employment from the store when the file has only one of them.

Profit is not compared with other years: it crosses zero, so a ratio to its
median means nothing. Zero values are left out (a firm may have no exports).
"""

from __future__ import annotations

from .. import settings
from ..schema.ddl import quote
from ..schema.model import Table
from .errors import RULES
from .validate import TYPED, lit, raw_name

OUTLIERS = "_jiqun_outliers"
#: Money columns compared with the firm's other years.
COMPARED = ("revenue_yuan", "output_value_yuan", "rd_expenditure_yuan", "exports_yuan")


def _other_years_select(column: str, ratio: float) -> str:
    col, raw = quote(column), raw_name(column)
    en, zh = RULES["outlier"]
    message_en = (f"{lit(en + ': ' + column + ' = ')} || printf('%.0f', f.v) || ' yuan in ' || f.year || "
                  f"{lit(f' is more than {ratio:g}x off the median of the firm' + chr(39) + 's other years (')} || "
                  f"printf('%.0f', m.med) || ' yuan, ' || m.n || ' year(s)); check the unit (元/万元/亿元) "
                  f"or load with --accept-outliers'")
    message_zh = (f"{lit(zh + '：' + column + ' = ')} || printf('%.0f', f.v) || '元（' || f.year || "
                  f"{lit(f'年），与该企业其他年份的中位数相差{ratio:g}倍以上（')} || printf('%.0f', m.med) || '元，' "
                  f"|| m.n || '个年份）；请检查单位（元/万元/亿元）或使用 --accept-outliers 加载'")
    # Only a firm whose largest value is more than ``ratio`` times its smallest can hold an outlier
    # (v > ratio x median of the others implies max > ratio x min): one GROUP BY finds those few firms,
    # and the exact per-row median of the other years is computed for them only.
    return (
        f"SELECT * FROM (WITH o AS (SELECT _row, uscc, year, {col} AS v, {raw} AS raw FROM {TYPED} "
        f" WHERE {col} > 0 AND uscc IS NOT NULL AND year IS NOT NULL "
        f" UNION ALL SELECT NULL, s.uscc, s.year, s.{col}, NULL FROM firm_years s WHERE s.{col} > 0 "
        f" AND s.uscc IN (SELECT uscc FROM {TYPED}) "
        f" AND NOT EXISTS (SELECT 1 FROM {TYPED} t WHERE t.uscc = s.uscc AND t.year = s.year)), "
        f"spread AS (SELECT uscc FROM o GROUP BY uscc HAVING max(v) > {ratio!r} * min(v)), "
        f"f AS (SELECT * FROM o WHERE _row IS NOT NULL AND uscc IN (SELECT uscc FROM spread)), "
        f"m AS (SELECT f._row, median(a.v) AS med, count(*) AS n FROM f JOIN o a "
        f" ON a.uscc = f.uscc AND a.year <> f.year GROUP BY f._row) "
        f"SELECT f._row, {lit(column)}, f.raw, 'outlier', {message_en}, {message_zh} FROM f JOIN m ON m._row = f._row "
        f"WHERE f.v > m.med * {ratio!r} OR f.v * {ratio!r} < m.med)"
    )


def _per_employee_select(present: set[str], low: float, high: float) -> str:
    en, zh = RULES["outlier"]
    rev = "t.revenue_yuan" if "revenue_yuan" in present else "s.revenue_yuan"
    emp = "t.employment" if "employment" in present else "s.employment"
    if "revenue_yuan" in present and "employment" in present:
        rev, emp = "coalesce(t.revenue_yuan, s.revenue_yuan)", "coalesce(t.employment, s.employment)"
    message_en = (f"{lit(en + ': revenue per employee ')} || printf('%.0f', rev / emp) || ' yuan (' || "
                  f"printf('%.0f', rev) || ' yuan / ' || emp || {lit(f' persons) is outside {low:,.0f} to {high:,.0f} yuan; ')} "
                  f"|| 'check the unit of revenue (元/万元) and employment, or load with --accept-outliers'")
    message_zh = (f"{lit(zh + '：人均营业收入 ')} || printf('%.0f', rev / emp) || '元（' || printf('%.0f', rev) "
                  f"|| '元 / ' || emp || {lit(f'人）不在 {low:,.0f} 至 {high:,.0f} 元之间；')} "
                  f"|| '请检查营业收入（元/万元）与从业人员的单位，或使用 --accept-outliers 加载'")
    value = (f"coalesce({raw_name('revenue_yuan')}, CAST(rev AS VARCHAR)) || ' / ' || "
             f"coalesce({raw_name('employment')}, CAST(emp AS VARCHAR))")
    return (
        f"SELECT _row, 'revenue_yuan, employment', {value}, 'outlier', {message_en}, {message_zh} FROM "
        f"(SELECT t._row, t.{raw_name('revenue_yuan')}, t.{raw_name('employment')}, {rev} AS rev, {emp} AS emp "
        f" FROM {TYPED} t LEFT JOIN firm_years s ON s.uscc = t.uscc AND s.year = t.year) "
        f"WHERE emp > 0 AND rev > 0 AND (rev / emp < {low!r} OR rev / emp > {high!r})"
    )


def outlier_checks(table: Table, present: set[str]) -> list[str]:
    """SELECTs listing outliers (row, column, value, rule, message_en, message_zh) of the typed file.

    Only ``firm_years`` has magnitude checks; the thresholds are settings.
    """
    if table.name != "firm_years":
        return []
    ratio = settings.get_float("outlier_ratio")
    out = [_other_years_select(c, ratio) for c in COMPARED if c in present]
    if present & {"revenue_yuan", "employment"}:
        out.append(_per_employee_select(present, settings.get_float("revenue_per_employee_min_yuan"),
                                        settings.get_float("revenue_per_employee_max_yuan")))
    return out
