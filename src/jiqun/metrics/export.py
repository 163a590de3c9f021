"""Edges of the indicator results: the published long layout and its files (CSV, Parquet, JSON,
XLSX with Chinese headers). This module does I/O; the analytics do not."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .catalogue import load_catalogue

COLUMNS = ["cluster", "region", "year", "indicator", "value", "n_firms", "top_firm_share"]
FORMATS = ("table", "csv", "xlsx", "json", "parquet")
ZH = {"cluster": "集群编号", "cluster_zh": "集群", "region": "地区代码", "region_zh": "地区", "year": "年份",
      "indicator": "指标编号", "indicator_zh": "指标", "value": "数值", "unit": "单位", "n_firms": "企业数",
      "top_firm_share": "最大企业占比"}


def published(frame: pd.DataFrame) -> pd.DataFrame:
    """Rename store columns to the published English long layout, sorted."""
    out = frame.rename(columns={"cluster_id": "cluster", "region_code": "region"})[COLUMNS]
    return out.sort_values(["cluster", "region", "year", "indicator"]).reset_index(drop=True)


def chinese(frame: pd.DataFrame, cluster_names: dict, region_names: dict) -> pd.DataFrame:
    """The tidy Chinese-header table analysts forward (names of clusters, regions, indicators)."""
    cat = load_catalogue()
    out = frame.assign(
        cluster_zh=frame.cluster.map(lambda c: cluster_names.get(c, "全部" if c == "all" else c)),
        region_zh=frame.region.map(lambda r: region_names.get(r, r)),
        indicator_zh=frame.indicator.map(lambda i: cat[i].name_zh if i in cat else i),
        unit=frame.indicator.map(lambda i: cat[i].unit if i in cat else ""))
    order = ["cluster_zh", "cluster", "region_zh", "region", "year", "indicator_zh", "indicator", "value", "unit",
             "n_firms", "top_firm_share"]
    return out[order].rename(columns=ZH)


def write(frame: pd.DataFrame, fmt: str, out: Path, cluster_names=None, region_names=None) -> Path:
    """Write the published frame as csv, parquet, json (records) or xlsx (Chinese headers)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        frame.to_csv(out, index=False)
    elif fmt == "parquet":
        frame.to_parquet(out, index=False)
    elif fmt == "json":
        frame.to_json(out, orient="records", force_ascii=False, indent=1)
    elif fmt == "xlsx":
        with pd.ExcelWriter(out, engine="xlsxwriter") as writer:
            chinese(frame, cluster_names or {}, region_names or {}).to_excel(writer, sheet_name="监测指标", index=False)
    else:
        raise ValueError(f"format must be one of {FORMATS[1:]}")
    return out
