"""The alert report of a store (预警报告): the rules evaluated, filtered to a year, cluster or region,
a summary per rule, and its files (CSV with a UTF-8 BOM, JSON, XLSX with a summary sheet and 说明).

Unknown clusters, regions and years are refused with the valid values listed
(:func:`resolve_id`; a name resolver for Chinese names can replace it in one place).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..excel import About, Column, Sheet, write_csv, write_workbook
from .alerts import AlertRule, load_alerts
from .catalogue import load_catalogue
from .export import RENAMES

#: Published alert columns (the same names as the indicator layout: cluster, region, year).
ALERT_COLUMNS = ["alert", "name_zh", "name_en", "cluster", "region", "year", "indicator", "value", "n_firms",
                 "evidence"]
SUMMARY_COLUMNS = ["alert", "name_zh", "name_en", "indicator", "fired"]
ALERT_FORMATS = ("table", "csv", "json", "xlsx")


class AlertSelectionError(ValueError):
    """An unknown cluster, region or year was asked for."""


@dataclass
class AlertReport:
    """Alerts of a store for a selection.

    Attributes
    ----------
    alerts : pandas.DataFrame
        :data:`ALERT_COLUMNS`, one row per firing.
    summary : pandas.DataFrame
        :data:`SUMMARY_COLUMNS`: every rule and how many times it fires in the selection.
    years : list of int
        The years covered (the latest year with indicator data unless all years were asked for).
    vintage : str
        Data vintage of the store.
    cluster_names, region_names : dict
        Id -> Chinese name, for labels.
    """

    alerts: pd.DataFrame
    summary: pd.DataFrame
    years: list[int]
    vintage: str
    cluster_names: dict
    region_names: dict


def resolve_id(value: str, valid: dict[str, str], what_en: str, what_zh: str) -> str:
    """The id ``value`` names: an id of ``valid`` (id -> Chinese name) or exactly one Chinese name.

    Raises
    ------
    AlertSelectionError
        Unknown value; the message lists the closest matches and the valid ids.
    """
    if value in valid:
        return value
    by_name = [k for k, name in valid.items() if name == value]
    if len(by_name) == 1:
        return by_name[0]
    labels = {f"{k} {name}".strip(): k for k, name in valid.items()}
    close = difflib.get_close_matches(value, list(valid) + list(valid.values()), n=3, cutoff=0.5)
    hint = f"closest 最接近: {', '.join(close)}; " if close else ""
    shown = ", ".join(list(labels)[:20]) + (f" … ({len(labels)} in all)" if len(labels) > 20 else "")
    raise AlertSelectionError(f"unknown {what_en} {value!r} 未知{what_zh}; {hint}valid 可选: {shown}")


def published_alerts(frame: pd.DataFrame) -> pd.DataFrame:
    """Alert rows in the published layout (``cluster``, ``region``; ``n_firms`` an integer)."""
    out = frame.rename(columns=RENAMES)[ALERT_COLUMNS].copy()
    out["year"] = pd.to_numeric(out["year"]).astype("int64")
    out["n_firms"] = pd.to_numeric(out["n_firms"], errors="coerce").round().astype("Int64")
    out["value"] = pd.to_numeric(out["value"], errors="coerce").astype("float64")
    return out.reset_index(drop=True)


def rule_summary(alerts: pd.DataFrame, rules=None) -> pd.DataFrame:
    """Every rule with the number of times it fires in ``alerts`` (rules that never fire: 0)."""
    rules = load_alerts() if rules is None else rules
    counts = alerts.groupby("alert").size() if len(alerts) else pd.Series(dtype="int64")
    return pd.DataFrame([{"alert": r.id, "name_zh": r.name_zh, "name_en": r.name_en, "indicator": r.indicator,
                          "fired": int(counts.get(r.id, 0))} for r in rules], columns=SUMMARY_COLUMNS)


def _names(con) -> tuple[dict, dict]:
    clusters = dict(con.table("clusters").select("cluster_id", "name_zh").execute().values.tolist())
    regions = dict(con.table("regions").select("region_code", "name_zh").execute().values.tolist())
    return clusters, regions


@dataclass
class StoreAlerts:
    """Every alert of a store (all years), with what a selection is checked against."""

    alerts: pd.DataFrame
    years: list[int]
    regions: list[str]
    vintage: str
    cluster_names: dict
    region_names: dict


def store_alert_table(con) -> StoreAlerts:
    """Evaluate the alert rules on the store's indicators (computed now), every year."""
    import ibis

    from .engine import compute_indicator_table, data_vintage
    from .store_views import store_alerts

    cluster_names, region_names = _names(con)
    arrow = compute_indicator_table(con)
    frame = published_alerts(store_alerts(con, ibis.memtable(arrow)).execute())
    return StoreAlerts(frame, sorted(int(y) for y in arrow.column("year").unique().to_pylist()),
                       sorted(arrow.column("region_code").unique().to_pylist()), data_vintage(con),
                       cluster_names, region_names)


def select_alerts(data: StoreAlerts, year: int | None = None, all_years: bool = False, cluster: str | None = None,
                  region: str | None = None) -> AlertReport:
    """Keep one selection of the store's alerts, with the summary per rule.

    Parameters
    ----------
    data : StoreAlerts
        :func:`store_alert_table`.
    year : int, optional
        Keep this year (default: the latest year with indicator data).
    all_years : bool
        Keep every year (``year`` must then be None).
    cluster, region : str, optional
        Keep this cluster id / region code (a unique Chinese name is accepted).

    Raises
    ------
    AlertSelectionError
        Unknown cluster, region or year (the valid values are listed).
    """
    frame = data.alerts
    if year is not None and all_years:
        raise AlertSelectionError("give --year or --all-years, not both 年份与全部年份只能选一个")
    if year is not None and year not in data.years:
        raise AlertSelectionError(f"no indicator data for year {year} 该年份无数据; years with data 有数据的年份: "
                                  f"{', '.join(map(str, data.years)) or 'none 无'}")
    if cluster is not None:
        cluster = resolve_id(cluster, data.cluster_names, "cluster", "集群")
        frame = frame[frame.cluster == cluster]
    if region is not None:
        region = resolve_id(region, {r: data.region_names.get(r, "") for r in data.regions}, "region", "地区")
        frame = frame[frame.region == region]
    kept = data.years if all_years else ([year] if year is not None else data.years[-1:])
    frame = frame[frame.year.isin(kept)].reset_index(drop=True)
    return AlertReport(frame, rule_summary(frame), kept, data.vintage, data.cluster_names, data.region_names)


def alert_report(con, year: int | None = None, all_years: bool = False, cluster: str | None = None,
                 region: str | None = None) -> AlertReport:
    """The alerts of the store for one selection (:func:`store_alert_table`, then :func:`select_alerts`).
    An unknown cluster is refused before anything is computed."""
    if cluster is not None:
        resolve_id(cluster, _names(con)[0], "cluster", "集群")
    return select_alerts(store_alert_table(con), year, all_years, cluster, region)


def _with_names(report: AlertReport) -> pd.DataFrame:
    cat = load_catalogue()
    frame = report.alerts
    return frame.assign(
        cluster_zh=frame.cluster.map(lambda c: report.cluster_names.get(c, "全部" if c == "all" else c)),
        region_zh=frame.region.map(lambda r: report.region_names.get(r, r)),
        indicator_zh=frame.indicator.map(lambda i: cat[i].name_zh if i in cat else i),
        unit=frame.indicator.map(lambda i: cat[i].unit if i in cat else ""))


ALERT_SHEET_COLUMNS = [
    Column("name_zh", "预警规则", description="规则名称 rule (alerts.yaml)"),
    Column("alert", "规则编号", "code", "rule id"),
    Column("cluster_zh", "集群", description="集群名称 cluster name"),
    Column("cluster", "集群编号", "code", "cluster id"),
    Column("region_zh", "地区", description="地区名称 region name"),
    Column("region", "地区代码", "code", "GB/T 2260 region code"),
    Column("year", "年份", "year", "触发年份 year the rule fires"),
    Column("indicator_zh", "指标", description="规则读取的指标 indicator the rule reads"),
    Column("indicator", "指标编号", "code", "indicator id"),
    Column("value", "数值", "by_unit", "该年指标值（金额亿元，比重%）indicator value of the year", unit_field="unit"),
    Column("n_firms", "企业数", "integer", "该指标值背后的企业数 firms behind the indicator value of that year"),
    Column("evidence", "依据", description="触发依据：逐年数值与阈值（原始单位）the series behind the decision, "
                                          "stored units"),
]
SUMMARY_SHEET_COLUMNS = [
    Column("name_zh", "预警规则", description="规则名称 rule"),
    Column("alert", "规则编号", "code", "rule id"),
    Column("indicator_zh", "指标", description="规则读取的指标 indicator the rule reads"),
    Column("fired", "触发次数", "integer", "所选范围内触发的次数 firings in the selection"),
]


def rule_definition(rule: AlertRule) -> str:
    """The condition of a rule in words (bilingual)."""
    cat = load_catalogue()
    name = f"{cat[rule.indicator].name_zh} {rule.indicator}"
    years = f"连续{rule.window}年 {rule.window} consecutive year(s)"
    if rule.comparison in ("decrease", "increase"):
        word = "下降 falls" if rule.comparison == "decrease" else "上升 rises"
        return f"{name} {word} {years}"
    word = "高于 above" if rule.comparison == "above" else "低于 below"
    cut = (f"同集群各地区第{rule.percentile:g}百分位 the P{rule.percentile:g} of the cluster's regions"
           if rule.percentile is not None else f"{rule.threshold:g}")
    return f"{name} {word} {cut}, {years}"


def write_alerts(report: AlertReport, fmt: str, path: Path, store: str = "") -> Path:
    """Write the report as csv (UTF-8 BOM), json (records, numbers as numbers) or xlsx (alerts, the
    summary per rule and a 说明 sheet with every rule's condition and the data vintage)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        return write_csv(report.alerts, path)
    if fmt == "json":
        report.alerts.to_json(path, orient="records", force_ascii=False, indent=1)
        return path
    if fmt != "xlsx":
        raise ValueError(f"format must be one of {ALERT_FORMATS[1:]}")
    cat = load_catalogue()
    summary = report.summary.assign(indicator_zh=report.summary.indicator.map(
        lambda i: cat[i].name_zh if i in cat else i))
    years = f"{report.years[0]}–{report.years[-1]}" if len(report.years) > 1 else ", ".join(map(str, report.years))
    sheets = [Sheet("预警", _with_names(report), ALERT_SHEET_COLUMNS, f"预警清单 alerts fired, years {years}"),
              Sheet("规则汇总", summary, SUMMARY_SHEET_COLUMNS, "每条规则触发次数 firings per rule")]
    rules = [(r.id, f"{r.name_zh} {r.name_en}", "", rule_definition(r)) for r in load_alerts()]
    write_workbook(path, sheets, About(f"集群预警 Cluster alerts ({years})", report.vintage, store,
                                       definitions=rules))
    return path
