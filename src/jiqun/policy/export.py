"""Edges of the policy views (I/O only): JSON records and the Excel workbook with Chinese headers."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..excel import About, Column, Sheet, write_workbook

SHEETS = {"matrix": "部门×集群×工具", "overlaps": "政策重叠", "gaps": "政策缺口", "alignment": "省市协同",
          "budget": "资金分布", "suggestions": "工具建议"}
COLUMNS = {
    "matrix": [Column("level", "层级", "code"), Column("department", "发文部门"), Column("cluster_id", "集群编号", "code"),
               Column("instrument", "政策工具", "code"), Column("n_policies", "政策数", "integer"),
               Column("budget_yuan", "资金规模", "money_wan", "多集群政策的资金按集群平均分摊 split over target clusters")],
    "overlaps": [Column("kind", "重叠类型", "code", "horizontal 同级多部门 / vertical 省市同用"),
                 Column("government", "政府", "code"), Column("cluster_id", "集群编号", "code"),
                 Column("instrument", "政策工具", "code"), Column("target_group", "支持对象", "code"),
                 Column("n_departments", "部门数", "integer"), Column("departments", "部门"),
                 Column("n_policies", "政策数", "integer"), Column("policies", "政策编号"),
                 Column("budget_yuan", "资金规模", "money_wan")],
    "gaps": [Column("addressed", "已有政策", "flag"), Column("source", "来源", "code",
                                                           "weak_link 薄弱环节 / alert 预警 / chokepoint 卡脖子"),
             Column("kind", "问题代码", "code"), Column("kind_zh", "问题"), Column("cluster_id", "集群编号", "code"),
             Column("node_id", "环节编号", "code"), Column("node_zh", "环节"),
             Column("region_code", "地区", "code"), Column("evidence", "依据"), Column("n_policies", "对应政策数", "integer"),
             Column("policies", "对应政策"), Column("rule", "匹配规则")],
    "alignment": [Column("kind", "类型", "code", "city_only 市有省无 / province_only 省有市无（核心区）"),
                  Column("cluster_id", "集群编号", "code"), Column("city_code", "城市代码", "code"),
                  Column("role", "集群角色", "code"), Column("n_policies", "政策数", "integer"),
                  Column("instruments", "政策工具")],
    "budget": [Column("by", "口径", "code", "cluster 按集群 / type 按集群类型"), Column("key", "集群或类型", "code"),
               Column("n_policies", "政策数", "integer"), Column("budget_yuan", "资金规模", "money_yi"),
               Column("n_with_budget", "有资金规模的政策", "integer"), Column("share", "占比", "share")],
    "suggestions": [Column("policy_id", "政策编号", "code"), Column("instrument", "已编码工具", "code"),
                    Column("suggested", "关键词建议工具", "code"), Column("score", "命中关键词数", "integer"),
                    Column("keywords", "命中关键词"), Column("agrees", "一致", "flag")],
}


def policy_records(frame: pd.DataFrame) -> list[dict]:
    """The view's rows as JSON-ready records."""
    return json.loads(frame.to_json(orient="records", force_ascii=False, date_format="iso"))


def write_policy_workbook(path: Path, frames: dict[str, pd.DataFrame], year: int, store: str = "") -> Path:
    """One sheet per view in ``frames`` and the 说明 sheet."""
    sheets = [Sheet(SHEETS[view], frame, [column for column in COLUMNS[view] if column.field in frame])
              for view, frame in frames.items()]
    notes = [f"{year} 年有效政策 policies in force during {year}. 工具分类: OECD STIP Compass (2019) 及jiqun补充（用地、人才计划）. "
             "关键词建议仅供参考，以分析员编码为准 keyword suggestions never replace the analyst's coding."]
    return write_workbook(path, sheets, About("政策组合 Policy mix", store=store, notes=notes))
