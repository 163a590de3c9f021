"""Edges of the chain map (I/O only): terminal tables and files with Chinese headers (亿元, %)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..display import format_value
from ..excel import About, Column, Sheet, write_csv, write_workbook

STAGE_ZH = {"upstream": "上游", "midstream": "中游", "downstream": "下游"}

SEGMENT_SHEET = [
    Column("node_id", "环节编号", "code", "chain node id"), Column("segment_zh", "链位", description="上游/中游/下游 stage"),
    Column("name_zh", "环节", description="环节名称 segment name"), Column("year", "年份", "year"),
    Column("n_local_firms", "本地企业数", "integer", "本地服务该环节且有年报的企业 local firms serving the segment"),
    Column("capacity_yuan", "本地产能", "money_yi", "本地主营该环节企业的工业总产值 output of local firms (primary segment)"),
    Column("capacity_growth", "产能增速", "share", "本地产能同比 capacity year on year"),
    Column("purchases_yuan", "集群采购额", "money_yi", "集群本地企业对该环节产品的采购 purchases of the cluster's local firms"),
    Column("purchases_same_city_yuan", "同城采购", "money_yi", "来自买方同城 from the buyer's city"),
    Column("purchases_other_city_yuan", "省内他市采购", "money_yi", "来自省内其他城市 other cities of the province"),
    Column("purchases_other_province_yuan", "外省采购", "money_yi", "来自外省 other provinces"),
    Column("purchases_abroad_yuan", "进口采购", "money_yi", "来自境外 abroad"),
    Column("local_supporting_rate_city", "本地配套率（市）", "share", "同城采购 / 采购 same-city share"),
    Column("local_supporting_rate_province", "本地配套率（省）", "share", "省内采购 / 采购 in-province share"),
    Column("import_share", "进口占比", "share", "进口 / 采购 import share"),
    Column("top_import_country", "第一进口来源国", "code", "ISO 3166 alpha-3"),
    Column("top_import_country_share", "第一进口国占比", "share", "该国供应 / 采购 share of purchases"),
    Column("n_suppliers", "供应商数", "integer", "供应商数（无信用代码的境外供应商按国家计） suppliers"),
    Column("supplier_hhi", "供应商集中度HHI", "score", "Σ 供应商份额² (0-1)"),
    Column("top_supplier", "第一供应商", description="最大供应商 largest supplier"),
    Column("top_supplier_share", "第一供应商占比", "share", "largest supplier's share"),
    Column("foreign_invested_share", "外资供应占比", "share", "外资及港澳台企业供应占比 foreign-invested share"),
    Column("branch_share", "分支机构供应占比", "share", "外地集团分支机构供应占比 branch-plant share"),
    Column("sales_yuan", "本地企业销售额", "money_yi", "本地企业该环节产品销售 local sales of the segment's goods"),
    Column("n_patents", "专利申请数", "integer", "本地企业该环节IPC专利申请 patents in the segment's IPC classes"),
    Column("n_suppliers_moved_out", "迁出供应商数", "integer", "上年省内供货、今年迁出本省 suppliers moved out"),
    Column("national_import_dependence", "全国进口依存度", "share", "投入产出表（待接入） national import dependence"),
    Column("weakness", "短板等级", "integer", "触发的短板规则数 number of weak-link rules that fire"),
    Column("reasons", "短板原因", description="触发的规则 the rules that fire"),
]
WEAK_SHEET = [
    Column("cluster_id", "集群编号", "code"), Column("node_id", "环节编号", "code"), Column("name_zh", "环节"),
    Column("year", "年份", "year"), Column("rule", "规则编号", "code"), Column("rule_zh", "短板类型"),
    Column("value", "数值", "decimal", "规则所用指标值 value of the rule's metric"),
    Column("threshold", "阈值", "decimal"), Column("n_firms", "涉及企业数", "integer"),
    Column("evidence_zh", "依据"), Column("evidence_en", "依据（英文）"),
]


def segment_display(segments: pd.DataFrame) -> pd.DataFrame:
    """Readable text of the segment rows for a terminal (亿元, %)."""
    return pd.DataFrame({
        "环节 segment": [f"{STAGE_ZH.get(s, s)} {n}\n{i}" for s, n, i in zip(segments.segment, segments.name_zh,
                                                                           segments.node_id)],
        "本地企业 firms": [format_value(v, "firms") for v in segments.n_local_firms],
        "产能 capacity 亿元": [format_value(v, "yuan") for v in segments.capacity_yuan],
        "采购 purchases 亿元": [format_value(v, "yuan") for v in segments.purchases_yuan],
        "配套率 市/省 local rate": [f"{format_value(c, 'ratio')} / {format_value(p, 'ratio')}" for c, p in
                                 zip(segments.local_supporting_rate_city, segments.local_supporting_rate_province)],
        "进口 imports": [format_value(v, "ratio") for v in segments.import_share],
        "HHI": [format_value(v, "index") for v in segments.supplier_hhi],
        "专利 patents": [format_value(v, "firms") for v in segments.n_patents],
        "短板 weak links": [f"{w} {r}".strip() if w else "" for w, r in zip(segments.weakness, segments.reasons)],
    })


def weak_display(found: pd.DataFrame) -> pd.DataFrame:
    """Readable text of the weak links for a terminal."""
    return pd.DataFrame({"集群 cluster": found.cluster_id, "环节 segment": found.name_zh + "\n" + found.node_id,
                         "年份 year": found.year.astype(str), "短板 rule": found.rule_zh + "\n" + found.rule,
                         "企业 firms": found.n_firms.astype(str), "依据 evidence": found.evidence_zh})


def _about(title: str, store: str, chain=None) -> About:
    from .weak import load_rules

    notes = [f"范围 scope: {chain.names.get('scope', chain.scope)} ({chain.scope}); 年份 year: {chain.year}"] if chain else []
    return About(title, store=store, notes=notes + ["定义见 docs/chains.md definitions in docs/chains.md"],
                 definitions=[(r.id, f"{r.name_zh} {r.name_en}", "", f"{r.metric} {r.comparison} {r.threshold}")
                              for r in load_rules()])


def write_map_workbook(chain, path: Path, store: str = "") -> Path:
    """The chain map as XLSX: 环节 (segments), 短板 (weak links), 说明."""
    seg = chain.segments.assign(segment_zh=chain.segments.segment.map(STAGE_ZH))
    sheets = [Sheet("环节", seg[[c.field for c in SEGMENT_SHEET]], SEGMENT_SHEET, "产业链环节 segments"),
              Sheet("短板", chain.weak_links[[c.field for c in WEAK_SHEET]], WEAK_SHEET, "产业链短板 weak links")]
    return write_workbook(path, sheets, _about(f"产业链图谱 chain map {chain.cluster_id}", store, chain))


def write_weak_links(found: pd.DataFrame, fmt: str, path: Path, store: str = "") -> Path:
    """The weak links as csv (UTF-8 BOM), json (records, numbers as numbers) or xlsx."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        return write_csv(found, path)
    if fmt == "json":
        path.write_text(json.dumps(json.loads(found.to_json(orient="records", force_ascii=False)),
                                   ensure_ascii=False, indent=1), encoding="utf-8")
        return path
    sheet = Sheet("短板", found[[c.field for c in WEAK_SHEET]], WEAK_SHEET, "产业链短板 weak links")
    return write_workbook(path, [sheet], _about("产业链短板 weak links", store))
