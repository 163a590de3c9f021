"""Edges of the firm lists (I/O only): JSON records (numbers as numbers) and the Excel workbook
(候选企业, 差一项, 晋级, 龙头企业, 认定标准, with Chinese headers and units)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..excel import About, Column, Sheet, write_workbook
from .candidates import FirmTierLists, criteria_records
from .leaders import ORIGINS, leader_centrality, leading_firms
from .tiers import load_sources

VIEWS = ("candidates", "close", "ladder", "leaders", "criteria")

TIER_COLUMNS = [
    Column("cluster_id", "集群编号", "code"), Column("city_code", "城市代码", "code"),
    Column("uscc", "统一社会信用代码", "code"), Column("name", "企业名称"),
    Column("tier_zh", "候选梯度", description="创新型中小企业 / 专精特新中小企业 / 小巨人 / 单项冠军 / 隐形冠军"),
    Column("state_zh", "判定", description="全部满足 = every requirement met on stored data; 可评项满足 = none missed, "
           "some not assessable (待核实); 未满足 = missed"),
    Column("recognised_zh", "已获认定"), Column("n_requirements", "要求数", "integer"),
    Column("n_met", "满足", "integer"), Column("n_missed", "未满足", "integer"),
    Column("n_open", "待核实（数据不足）", "integer", "not assessable: the store lacks the data"),
    Column("missed", "未满足要求", description="requirement ids, see 认定标准"),
    Column("revenue", "营业收入", "money_wan"), Column("employment", "从业人员", "integer"),
]
LADDER_COLUMNS = [
    Column("cluster_id", "集群编号", "code"), Column("city_code", "城市代码", "code"),
    Column("uscc", "统一社会信用代码", "code"), Column("name", "企业名称"),
    Column("year_before", "上一年", "year"), Column("tier_before_zh", "上一年梯度"),
    Column("year", "年份", "year"), Column("tier_zh", "本年梯度"),
]
CRITERION_COLUMNS = [
    Column("uscc", "统一社会信用代码", "code"), Column("tier", "梯度代码", "code"),
    Column("requirement", "要求", "code"), Column("alternative", "路径", "code", "alternatives of a requirement: any one suffices"),
    Column("criterion", "标准编号", "code"), Column("name_zh", "标准"),
    Column("value", "数值", "decimal"), Column("op", "比较", "code"), Column("threshold", "门槛", "decimal"),
    Column("met_zh", "是否满足", description="是 / 否 / 不可评（数据不足 not assessable）"),
    Column("basis", "数据口径", description="exact / an upper or lower bound / a range of points / not stored"),
    Column("source", "来源", "code"), Column("verified_zh", "门槛已核对原文"),
]
LEADER_SHEET_COLUMNS = [
    Column("cluster_id", "集群编号", "code"), Column("rank", "排名", "integer"),
    Column("uscc", "统一社会信用代码", "code"), Column("name", "企业名称"), Column("city_code", "城市代码", "code"),
    Column("origin_zh", "控制来源", description="本地总部 / 外资集团分支 / 外省集团分支"),
    Column("parent_group", "所属集团"), Column("parent_country", "集团总部国家", "code"),
    Column("output_value_yuan", "工业总产值", "money_yi"), Column("employment", "从业人员", "integer"),
    Column("output_share", "占集群省内产值", "share"), Column("rd_intensity", "研发强度", "share"),
    Column("local_purchase_share", "省内采购占比", "share"),
    Column("local_supplier_pull", "省内供应商带动度", "share", "省内供应商销售额中卖给该企业的比重 share of its province "
           "suppliers' sales bought by the firm"),
    Column("pagerank_rank", "产业链中心度排名", "integer", "集群供应网络加权PageRank在集群企业中的名次 rank by weighted "
           "PageRank in the cluster's supply network"),
    Column("srdi_level", "专精特新", "code"), Column("single_champion", "单项冠军", "flag")]
RULE_COLUMNS = [
    Column("tier", "梯度代码", "code"), Column("requirement", "要求", "code"), Column("alternative", "路径", "code"),
    Column("criterion", "标准编号", "code"), Column("name_zh", "标准"), Column("measure", "指标", "code"),
    Column("op", "比较", "code"), Column("threshold", "门槛", "decimal"), Column("source", "来源", "code"),
    Column("verified", "门槛已核对原文", "code"), Column("note", "说明"),
]


def leaders_with_origin(con, cluster_id, year: int, top: int = 10, by_city: bool = False) -> pd.DataFrame:
    """:func:`jiqun.firms.leading_firms` with the origin's Chinese name (``origin_zh``) and each leader's
    chain centrality (:func:`jiqun.firms.leaders.leader_centrality`) where transactions exist."""
    frame = leading_firms(con, cluster_id, year, top, by_city=by_city)
    frame["origin_zh"] = frame.origin.map(lambda code: ORIGINS[code][0])
    years = set(con.table("transactions").select("year").distinct().to_pandas().year.astype(int))
    return leader_centrality(con, frame, year) if int(year) in years and len(frame) else frame


def tier_records(frame: pd.DataFrame, lists: FirmTierLists) -> list[dict]:
    """Candidate (or near-miss) rows as the contract's records: ``uscc``, ``tier``, ``criteria`` first."""
    criteria = criteria_records(lists.criteria)
    rows = json.loads(frame.to_json(orient="records", force_ascii=False))
    out = []
    for row in rows:
        head = {"uscc": row.pop("uscc"), "tier": row.pop("tier")}
        out.append({**head, **row, "year": lists.year, "criteria": criteria.get((head["uscc"], head["tier"]), [])})
    return out


def firm_records(lists: FirmTierLists | None, view: str, leaders: pd.DataFrame | None = None,
                 criteria: pd.DataFrame | None = None) -> list[dict]:
    """The records of one of :data:`VIEWS` (``leaders`` and ``criteria`` take their frames)."""
    if view == "candidates":
        return tier_records(lists.candidates, lists)
    if view == "close":
        return tier_records(lists.close, lists)
    frame = {"ladder": lists.ladder if lists else None, "leaders": leaders, "criteria": criteria}[view]
    return json.loads(frame.to_json(orient="records", force_ascii=False))


def _criterion_sheet(lists: FirmTierLists) -> pd.DataFrame:
    detail = lists.criteria.copy()
    detail["met_zh"] = ["不可评" if pd.isna(v) else ("是" if v == 1.0 else "否") for v in detail.met]
    detail["verified_zh"] = ["是" if v == "yes" else "否（未能核对）" for v in detail.verified]
    detail["value"] = detail.value.where(detail.value.abs() != float("inf"))
    return detail


def write_firm_workbook(path: Path, lists: FirmTierLists, leaders: pd.DataFrame, criteria: pd.DataFrame,
                        store: str = "") -> Path:
    """The firm lists as XLSX: candidates, near misses, ladder, leaders, every criterion checked, the rules."""
    sources = load_sources()
    notes = [f"年份 year: {lists.year}. 标准来源 sources: " + "; ".join(
        f"{row.source}: {row.title} — {row.how}" for row in sources.itertuples()),
        "不可评 = 库中无此数据，不计为满足 (not assessable is never counted as met)."]
    sheets = [
        Sheet("候选企业", lists.candidates, TIER_COLUMNS, "每家集群企业尚未获得的最高可达梯度"),
        Sheet("差一项", lists.close, TIER_COLUMNS, "上一梯度只差一项要求的企业"),
        Sheet("晋级", lists.ladder, LADDER_COLUMNS, "较上一年梯度上升的企业"),
        Sheet("龙头企业", leaders, LEADER_SHEET_COLUMNS, "各集群产值前列企业及控制来源"),
        Sheet("逐项判定", _criterion_sheet(lists), CRITERION_COLUMNS, "候选与差一项企业的逐项标准、数值与门槛"),
        Sheet("认定标准", criteria, RULE_COLUMNS, "梯度标准（数据表 jiqun/firms/data/tiers.csv）"),
    ]
    return write_workbook(path, sheets, About("企业梯度培育名单 Firm tier candidates", store=store, notes=notes))
