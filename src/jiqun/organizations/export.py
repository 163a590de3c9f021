"""Edges of the organisation evaluation (I/O only): JSON records and the Excel workbook."""

from __future__ import annotations

import json
from pathlib import Path

from ..excel import About, Column, Sheet, write_workbook
from .scoring import INDICATORS
from .store import OrganizationEvaluation

VIEWS = ("ranking", "pool", "levels")
RANKING_COLUMNS = [
    Column("rank", "排名", "integer"), Column("organization_id", "机构编号", "code"), Column("name", "机构名称"),
    Column("cluster_id", "集群编号", "code"), Column("region_code", "所在地区", "code"), Column("year", "年份", "year"),
    Column("score", "综合得分", "score", "0–1, 集群评价同一方法 the cluster evaluation's weighted sum"),
    Column("rank_p05", "排名区间（乐观）", "integer", "Monte Carlo 5 %"), Column("rank_p95", "排名区间（保守）", "integer",
                                                                      "Monte Carlo 95 %"),
    Column("tier_zh", "等级"), Column("rule", "定级依据"), Column("n_assessable", "可评指标数", "integer"),
    Column("n_gold", "达金牌水平", "integer"), Column("n_silver", "达银牌及以上", "integer"),
    Column("n_bronze", "达铜牌及以上", "integer"), Column("weakest_dimension", "最弱领域", "code"),
    Column("improvement_text", "改进方向", description="距下一等级差距最大的指标 indicators furthest below the next tier"),
    Column("explanation_zh", "说明", description="排名、区间、等级依据、最弱领域与优先改进 in words"),
]
POOL_COLUMNS = [Column("organization_id", "机构编号", "code"), Column("year", "年份", "year"),
                Column("change", "变动", "code", "entry 入库 / exit 出库 / up 升级 / down 降级"),
                Column("tier_before", "上一年等级", "code"), Column("tier", "本年等级", "code")]
LEVEL_COLUMNS = [Column("organization_id", "机构编号", "code"), Column("indicator", "指标", "code"),
                 Column("indicator_zh", "指标名称"), Column("value", "数值", "decimal"),
                 Column("level", "达到水平", "code"), Column("bronze", "铜牌线", "decimal"),
                 Column("silver", "银牌线", "decimal"), Column("gold", "金牌线", "decimal"),
                 Column("source", "门槛来源")]


def improvement_text(items: list[dict]) -> str:
    """The improvement areas in one line: 指标 value→target; not-stored ones as 待采集."""
    parts = []
    for item in items:
        if item.get("target") is None:
            parts.append(f"{item['name_zh']}：待采集")
        else:
            parts.append(f"{item['name_zh']} {item['value']:g}→{item['target_value']:g}")
    return "；".join(parts)


def organization_records(result: OrganizationEvaluation, view: str = "ranking") -> list[dict]:
    """Records of a view; ranking records start with the contract's ``organization_id``, ``score``, ``tier``."""
    if view == "pool":
        return json.loads(result.pool.to_json(orient="records", force_ascii=False))
    if view == "levels":
        return json.loads(result.levels.drop(columns=["not_stored"]).to_json(orient="records", force_ascii=False))
    dimensions = result.dimensions.set_index("organization_id")
    rows = json.loads(result.organizations.to_json(orient="records", force_ascii=False))
    out = []
    for row in rows:
        head = {key: row.pop(key) for key in ("organization_id", "score", "tier")}
        out.append({**head, **row, "dimensions": dimensions.loc[head["organization_id"]].to_dict()})
    return out


def write_organization_workbook(path: Path, result: OrganizationEvaluation, store: str = "") -> Path:
    """The ranking with tiers and improvement areas, the pool's movements and every indicator's level."""
    ranking = result.organizations.assign(improvement_text=[improvement_text(items)
                                                            for items in result.organizations.improvement])
    levels = result.levels.assign(indicator_zh=[INDICATORS[name][0] for name in result.levels.indicator])
    notes = [f"方案 scheme: {result.scheme.evaluation.name} (sha256 {result.scheme.evaluation.sha256[:12]}); "
             "评价领域参照ESCA集群管理卓越评估的六个方面与工信部对促进机构的要求; 金牌规则（80%指标达最高水平）参照ESCA金牌标准, "
             "银牌、铜牌规则与各指标门槛为jiqun针对江苏的标定（source: jiqun），待省里审定。", *result.notes]
    sheets = [Sheet("机构评价", ranking, RANKING_COLUMNS, "得分、排名区间、等级与改进方向"),
              Sheet("培育库变动", result.pool, POOL_COLUMNS, "入库、出库、升降级"),
              Sheet("指标水平", levels, LEVEL_COLUMNS, "每项指标的数值与达到的水平")]
    return write_workbook(path, sheets, About("集群促进机构评价 Cluster organisation evaluation", store=store,
                                              notes=notes))
