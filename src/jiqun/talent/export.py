"""Edges of the talent flows (I/O only): JSON records (numbers as numbers, blanked cells as null) and the
Excel workbook with Chinese headers."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..excel import About, Column, Sheet, write_workbook

VIEWS = ("flows", "pairs", "communities", "alerts")
_COMMON = [Column("cluster_id", "集群编号", "code", "all = 全部集群企业"), Column("level", "单位", "code"),
           Column("staff", "人员范围", "code", "all / senior 高管与高级工程师 / technical 技术人员")]
COLUMNS = {
    "flows": _COMMON + [
        Column("region", "城市代码", "code"), Column("firm", "统一社会信用代码", "code"), Column("name", "名称"),
        Column("year", "年份", "year"), Column("inflow", "流入人数", "integer"), Column("outflow", "流出人数", "integer"),
        Column("internal", "内部流动", "integer", "同一城市集群企业之间 between firms of the same city"),
        Column("net", "净流入", "integer"), Column("employment", "从业人员", "integer"),
        Column("net_per_1000", "每千人净流入", "decimal"), Column("churn_per_1000", "每千人流动", "decimal"),
        Column("brain_gain", "流入/流出比", "decimal"),
        Column("suppressed", "含抑制单元格", "flag", "人数过少的单元格已隐去 small cells blanked")],
    "pairs": _COMMON + [
        Column("unit_a", "单位A", "code"), Column("name_a", "名称A"), Column("unit_b", "单位B", "code"),
        Column("name_b", "名称B"), Column("year", "年份", "year"), Column("a_to_b", "A→B人数", "integer"),
        Column("b_to_a", "B→A人数", "integer"), Column("mutual", "互挖人数", "integer", "较小方向 min of both"),
        Column("total", "合计", "integer"), Column("a_to_b_per_1000", "A每千人流向B", "decimal"),
        Column("b_to_a_per_1000", "B每千人流向A", "decimal"), Column("suppressed", "含抑制单元格", "flag")],
    "communities": [
        Column("cluster_id", "集群编号", "code"), Column("community", "社群", "integer"),
        Column("n_firms", "企业数", "integer"), Column("n_cities", "城市数", "integer"), Column("cities", "城市"),
        Column("moves_inside", "社群内流动", "integer"), Column("largest_firm", "最大企业"),
        Column("modularity", "模块度", "score"), Column("suppressed", "含抑制单元格", "flag")],
    "alerts": [
        Column("cluster_id", "集群编号", "code"), Column("level", "单位", "code"), Column("region", "城市代码", "code"),
        Column("firm", "统一社会信用代码", "code"), Column("name", "名称"), Column("rival", "对手", "code"),
        Column("rival_name", "对手名称"), Column("year", "年份", "year"),
        Column("moves_to_rival", "流向对手人数", "integer"), Column("departures", "高级人才流出", "integer"),
        Column("rival_share", "流向对手占比", "share"), Column("rule", "预警依据")],
}
SHEETS = {"flows": "流入流出", "pairs": "互挖", "communities": "人才社群", "alerts": "挖人预警"}


def talent_records(frame: pd.DataFrame) -> list[dict]:
    """The frame's rows as JSON-ready records (blanked cells null)."""
    return json.loads(frame.to_json(orient="records", force_ascii=False))


def write_talent_workbook(path: Path, frames: dict[str, pd.DataFrame], min_moves: int, store: str = "") -> Path:
    """One sheet per view in ``frames`` and the 说明 sheet (suppression rule stated)."""
    sheets = []
    for view, frame in frames.items():
        columns = [column for column in COLUMNS[view] if column.field in frame]
        sheets.append(Sheet(SHEETS[view], frame, columns))
    notes = [f"少于 {min_moves} 人的单元格已隐去（含由其计算的比率）cells with fewer than {min_moves} moves are blanked, "
             "with the rates computed from them (setting talent_min_moves)."]
    return write_workbook(path, sheets, About("人才流动 Talent flows", store=store, notes=notes))
