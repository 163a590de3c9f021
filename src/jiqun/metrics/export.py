"""Edges of the indicator results and alerts: the published long layout and its files (CSV with a
UTF-8 BOM, Parquet, JSON with numbers as numbers, XLSX with Chinese headers, units and a 说明
sheet) and the readable terminal table. This module does I/O; the analytics do not."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..display import format_value, unit_label
from ..excel import About, Column, Sheet, write_csv, write_workbook
from .base import Options
from .catalogue import dimension_names, load_catalogue

COLUMNS = ["cluster", "region", "year", "indicator", "value", "n_firms", "top_firm_share"]
FORMATS = ("table", "csv", "xlsx", "json", "parquet")
ZH = {"cluster": "集群编号", "cluster_zh": "集群", "region": "地区代码", "region_zh": "地区", "year": "年份",
      "indicator": "指标编号", "indicator_zh": "指标", "value": "数值", "unit": "单位", "n_firms": "企业数",
      "top_firm_share": "最大企业占比"}
#: Store column names -> published names (the same in the CLI, the library files and the demo outputs).
RENAMES = {"cluster_id": "cluster", "region_code": "region", "city_code": "region"}


def published(frame: pd.DataFrame) -> pd.DataFrame:
    """Rename store columns to the published English long layout, sorted, with numeric dtypes
    (``year`` and ``n_firms`` integers, missing counts as <NA>; ``value`` and shares floats)."""
    out = frame.rename(columns=RENAMES)[COLUMNS]
    out = out.astype({"cluster": str, "region": str, "indicator": str})
    out["year"] = pd.to_numeric(out["year"]).astype("int64")
    out["n_firms"] = pd.to_numeric(out["n_firms"], errors="coerce").round().astype("Int64")
    out["value"] = pd.to_numeric(out["value"], errors="coerce").astype("float64")
    out["top_firm_share"] = pd.to_numeric(out["top_firm_share"], errors="coerce").astype("float64")
    return out.sort_values(["cluster", "region", "year", "indicator"]).reset_index(drop=True)


def period_label(indicator: str, year: int, cagr_window: int | None = None) -> str:
    """The period a growth indicator covers (``2022→2023``; CAGR ``2018→2023``); empty for levels."""
    cat = load_catalogue()
    if indicator not in cat or cat[indicator].dimension != "growth":
        return ""
    span = (cagr_window or Options().cagr_window) if indicator.endswith("cagr") else 1
    return f"{int(year) - span}→{int(year)}"


def labelled(frame: pd.DataFrame, cluster_names: dict, region_names: dict,
             cagr_window: int | None = None) -> pd.DataFrame:
    """The published frame with names beside ids: cluster and region names, indicator names (Chinese,
    English), dimension, the catalogue unit and the period of growth indicators."""
    cat = load_catalogue()
    dims = dimension_names()

    def meta(attr, default=""):
        return frame.indicator.map(lambda i: getattr(cat[i], attr) if i in cat else default)

    return frame.assign(
        cluster_zh=frame.cluster.map(lambda c: cluster_names.get(c, "全部" if c == "all" else c)),
        region_zh=frame.region.map(lambda r: region_names.get(r, r)),
        indicator_zh=meta("name_zh"), indicator_en=meta("name_en"), unit=meta("unit"),
        dimension_zh=meta("dimension").map(lambda d: dims.get(d, {}).get("name_zh", d)),
        period=[period_label(i, y, cagr_window) for i, y in zip(frame.indicator, frame.year)])


def chinese(frame: pd.DataFrame, cluster_names: dict, region_names: dict) -> pd.DataFrame:
    """The tidy Chinese-header table (names of clusters, regions, indicators), values as stored."""
    out = labelled(frame, cluster_names, region_names)
    order = ["cluster_zh", "cluster", "region_zh", "region", "year", "indicator_zh", "indicator", "value", "unit",
             "n_firms", "top_firm_share"]
    return out[order].rename(columns=ZH)


#: Excel columns of the indicator sheet.
INDICATOR_COLUMNS = [
    Column("cluster_zh", "集群", description="集群名称 cluster name (全部 = whole economy)"),
    Column("cluster", "集群编号", "code", "cluster id"),
    Column("region_zh", "地区", description="地区名称 region name"),
    Column("region", "地区代码", "code", "GB/T 2260 region code (320000 province, 3201xx … cities)"),
    Column("year", "年份", "year", "年份 year"),
    Column("dimension_zh", "维度", description="指标所属维度 dimension of the indicator"),
    Column("indicator_zh", "指标", description="指标名称 indicator name (definitions below)"),
    Column("indicator_en", "指标（英文）", description="indicator name in English"),
    Column("indicator", "指标编号", "code", "indicator id (metrics/data/indicators.yaml)"),
    Column("value", "数值", "by_unit", "指标值，按“单位”列换算：金额为亿元，比重为% value in the unit shown",
           unit_field="unit"),
    Column("unit_shown", "单位", description="数值的单位 unit of the value as shown (亿元, %, 家, 人 …)"),
    Column("period", "期间", description="增速覆盖的期间 period a growth rate covers (e.g. 2022→2023)"),
    Column("n_firms", "企业数", "integer", "数值背后的企业数 distinct firms behind the value (disclosure control)"),
    Column("top_firm_share", "最大企业占比", "share",
           "最大单一企业占比 largest single firm's share of the sum behind the value (disclosure control)"),
]


def indicator_definitions(indicators=None) -> list[tuple[str, str, str, str]]:
    """``(id, name, unit, definition)`` of every catalogue indicator (or of ``indicators``), for 说明."""
    cat = load_catalogue()
    ids = [i for i in (indicators if indicators is not None else cat) if i in cat]
    return [(i, f"{cat[i].name_zh} {cat[i].name_en}", unit_label(cat[i].unit),
             f"{cat[i].definition} 公式 Formula: {cat[i].formula}") for i in ids]


def indicator_sheet(frame: pd.DataFrame, cluster_names: dict, region_names: dict, name: str = "监测指标") -> Sheet:
    """The indicator results as an Excel :class:`~jiqun.excel.Sheet` (names, units, periods)."""
    out = labelled(frame, cluster_names, region_names)
    out["unit_shown"] = out.unit.map(lambda u: unit_label(u).split(" ")[0] if u else "")
    return Sheet(name, out, INDICATOR_COLUMNS, "集群监测指标 monitoring indicators per cluster × region × year")


def write(frame: pd.DataFrame, fmt: str, out: Path, cluster_names=None, region_names=None,
          vintage: str = "", store: str = "") -> Path:
    """Write the published frame as csv (UTF-8 BOM), parquet, json (records; numbers as numbers, NaN as
    null) or xlsx (Chinese headers, units, a 说明 sheet with the indicator definitions and ``vintage``)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        write_csv(frame, out)
    elif fmt == "parquet":
        frame.to_parquet(out, index=False)
    elif fmt == "json":
        frame.to_json(out, orient="records", force_ascii=False, indent=1)
    elif fmt == "xlsx":
        sheet = indicator_sheet(frame, cluster_names or {}, region_names or {})
        about = About("集群监测指标 Cluster monitoring indicators", vintage, store,
                      definitions=indicator_definitions(sorted(set(frame.indicator))))
        write_workbook(out, [sheet], about)
    else:
        raise ValueError(f"format must be one of {FORMATS[1:]}")
    return out


def display_table(frame: pd.DataFrame, cluster_names: dict, region_names: dict) -> pd.DataFrame:
    """Readable text of the published frame for a terminal (bilingual headers; money in 亿元 with
    thousands separators, shares as %, counts as integers; the period of growth rates)."""
    out = labelled(frame, cluster_names, region_names)
    return pd.DataFrame({
        "cluster 集群": [f"{n} {c}" if n != c else c for n, c in zip(out.cluster_zh, out.cluster)],
        "region 地区": [f"{n} {r}" if n != r else r for n, r in zip(out.region_zh, out.region)],
        "year 年份": out.year.astype(str),
        "indicator 指标": [f"{zh}\n{en}" for zh, en in zip(out.indicator_zh, out.indicator_en)],
        "value 数值": [format_value(v, u) for v, u in zip(out.value, out.unit)],
        "unit 单位": out.unit.map(unit_label),
        "period 期间": out.period,
        "firms 企业数": [format_value(n, "firms") for n in out.n_firms],
        "top firm 最大企业占比": [format_value(s, "ratio", missing="") for s in out.top_firm_share],
    })
