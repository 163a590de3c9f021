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
    Column("national_import_dependence", "全国进口依存度（直接）", "share",
           "该环节所属行业中间投入中进口所占比重，2020年全国投入产出表 imported share of the division's inputs"),
    Column("national_import_dependence_total", "全国进口依存度（完全）", "share",
           "经国内产业链传导的完全进口依存度 (u·A_m·L_d) total, through the domestic chain"),
    Column("division", "国民经济行业大类", "code", "GB/T 4754 大类（服务该环节的省内企业多数所属） division"),
    Column("io_sector", "投入产出部门", "code", "2020年42部门表的部门代码 IO sector"),
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
        "全国进口依存 national": [format_value(v, "ratio") for v in segments.national_import_dependence],
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


# --- shock simulation (冲击模拟) and ESRI ranking (系统重要性供应商) ---------------------------------

SHOCK_SUMMARY_SHEET = [
    Column("scenario", "冲击情景", "code", "--remove 参数 the removal"), Column("share", "冲击比例ψ", "share"),
    Column("cluster_id", "集群编号", "code"), Column("year", "年份", "year"),
    Column("scope", "网络范围", "code", "cluster:ID 集群网络 / province 全省网络"),
    Column("essentiality", "投入重要性矩阵", "code", "default 投入产出表推导 / linear / leontief"),
    Column("n_nodes", "网络节点数", "integer", "企业及境外国家、外省地区节点 nodes"),
    Column("esri", "系统性风险指数ESRI", "score", "Σ w·(1 − min(h下游, h上游)), w = 销售额权重 (Diem et al. 2022)"),
    Column("esri_down", "下游ESRI", "score", "供给中断向下游传导 downstream"),
    Column("esri_up", "上游ESRI", "score", "需求中断向上游传导 upstream"),
    Column("output_at_risk_yuan", "受影响产值", "money_yi", "Σ 产值 × 产出损失 output at risk"),
    Column("output_yuan", "网络产值", "money_yi"), Column("output_at_risk_share", "受影响产值占比", "share"),
    Column("firms_shocked", "直接冲击节点数", "integer"),
    Column("firms_hit", "受波及节点数", "integer", "产出损失超过1%的节点 loss > 1 %"),
]
AT_RISK_COLUMNS = [
    Column("n_firms", "企业数", "integer"), Column("output_yuan", "产值", "money_yi"),
    Column("output_at_risk_yuan", "受影响产值", "money_yi"), Column("output_at_risk_share", "受影响占比", "share"),
]
HIT_SHEET = [
    Column("uscc", "统一社会信用代码", "code"), Column("name", "企业名称"), Column("city_code", "城市代码", "code"),
    Column("cluster_id", "所属集群", "code"), Column("node_id", "所属环节", "code"),
    Column("shocked", "直接冲击", "flag"), Column("h_down", "下游剩余产出", "share", "h_down"),
    Column("h_up", "上游剩余产出", "share", "h_up"), Column("loss", "产出损失", "share", "1 − min(h_down, h_up)"),
    Column("output_yuan", "产值", "money_yi"), Column("output_at_risk_yuan", "受影响产值", "money_yi"),
]
ALTERNATIVE_SHEET = [
    Column("lost_uscc", "中断供应商", "code"), Column("lost_name", "中断供应商名称"),
    Column("lost_sales_yuan", "中断供应额", "money_wan"), Column("rank", "推荐序", "integer"),
    Column("uscc", "替代供应商", "code"), Column("name", "替代供应商名称"), Column("city_code", "城市代码", "code"),
    Column("match", "匹配方式", "code", "segment 同环节 / class 同行业小类 / division 同行业大类"),
    Column("location", "区位", "code", "same_city 同城 / province 省内 / elsewhere 省外"),
    Column("output_yuan", "产值", "money_wan"),
    Column("capacity_ratio", "产能覆盖倍数", "decimal", "产值 / 中断供应额 output ÷ lost sales"),
    Column("capacity", "产能", "code", "full ≥1倍 / partial ≥0.1倍 / small"),
]
ESRI_SHEET = [
    Column("rank", "排名", "integer"), Column("uscc", "统一社会信用代码/节点", "code"),
    Column("kind", "类型", "code", "firm 企业 / country 境外国家（进口）"), Column("name", "名称"),
    Column("city_code", "城市代码", "code"), Column("cluster_id", "所属集群", "code"), Column("node_id", "所属环节", "code"),
    Column("sector", "行业大类", "code", "GB/T 4754"),
    Column("sales_to_cluster_yuan", "对集群销售额", "money_wan"),
    Column("esri", "系统性风险指数ESRI", "score", "该供应商单独停产时网络产出的损失份额"),
    Column("esri_down", "下游ESRI", "score"), Column("esri_up", "上游ESRI", "score"),
]
SHOCK_SHEETS = (("summary", "概要", SHOCK_SUMMARY_SHEET),
                ("by_segment", "环节", [Column("node_id", "环节编号", "code")] + AT_RISK_COLUMNS),
                ("by_city", "城市", [Column("city_code", "城市代码", "code")] + AT_RISK_COLUMNS),
                ("by_cluster", "集群", [Column("cluster_id", "集群编号", "code")] + AT_RISK_COLUMNS),
                ("hardest_hit", "受冲击最大企业", HIT_SHEET), ("alternatives", "替代供应商", ALTERNATIVE_SHEET))


def _shock_about(title: str, store: str, notes: list[str]) -> About:
    return About(title, store=store, notes=notes + ["方法与定义见 docs/shocks.md (Diem et al. 2022, Sci. Rep. 12:7719)"])


def write_json(payload, path: Path) -> Path:
    """Frames (or a dict of frames) as JSON records, numbers as numbers."""
    def records(frame):
        return json.loads(frame.to_json(orient="records", force_ascii=False))

    data = {k: records(v) for k, v in payload.items()} if isinstance(payload, dict) else records(payload)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def write_shock_workbook(run, path: Path, store: str = "") -> Path:
    """A shock run (:class:`jiqun.chains.simulation.ShockRun`) as XLSX, one sheet per result table."""
    sheets = [Sheet(name, run.tables[key][[c.field for c in columns]], columns, name)
              for key, name, columns in SHOCK_SHEETS]
    notes = [f"情景 scenario: {run.result.scenario.text}; ψ = {run.result.share}; 范围 scope: {run.scope}; "
             f"年份 year: {run.year}; 投入重要性 essentiality: {run.essentiality}"]
    return write_workbook(path, sheets, _shock_about(f"冲击模拟 shock {run.cluster_id}", store, notes))


def write_esri(ranking, fmt: str, path: Path, store: str = "") -> Path:
    """An ESRI ranking (:class:`jiqun.chains.simulation.EsriRanking`) as csv (BOM), json or xlsx."""
    frame = ranking.ranking[[c.field for c in ESRI_SHEET]]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        return write_csv(frame, path)
    if fmt == "json":
        return write_json(frame, path)
    notes = [f"集群 cluster: {ranking.cluster_id}; 年份 year: {ranking.year}; 范围 scope: {ranking.scope}; "
             f"候选供应商 candidates: {ranking.candidates}; 投入重要性 essentiality: {ranking.essentiality}"]
    sheet = Sheet("系统重要性", frame, ESRI_SHEET, "系统重要性供应商 systemic suppliers")
    return write_workbook(path, [sheet], _shock_about(f"系统重要性供应商 ESRI {ranking.cluster_id}", store, notes))


NETWORK_SUMMARY_SHEET = [
    Column("cluster_id", "集群编号", "code"), Column("year", "年份", "year"),
    Column("n_nodes", "网络节点数", "integer", "集群省内企业及其直接供应商、客户（境外按国家、外省无信用代码按省计）"),
    Column("n_links", "交易关系数", "integer", "卖方→买方关系 seller → buyer links"),
    Column("n_province_firms", "省内企业数", "integer"), Column("n_communities", "社群数", "integer"),
    Column("modularity", "模块度", "score", "Leiden 社群划分的模块度 modularity of the partition"),
    Column("resolution", "分辨率", "decimal"), Column("seed", "随机种子", "integer"),
    Column("betweenness_method", "中介中心性算法", description="exact 精确 / sampled 抽样估计"),
    Column("n_bridges", "桥接企业数", "integer", "与两个及以上集群有交易的省内企业 province firms joining clusters"),
]
NETWORK_FIRM_SHEET = [
    Column("rank", "排名", "integer", "按供应商PageRank排序 by supplier PageRank"), Column("node", "信用代码/节点", "code"),
    Column("name", "企业"), Column("kind", "类型", description="firm 企业 / country 进口国 / region 外省"),
    Column("city_code", "城市代码", "code"), Column("in_province", "省内", "flag"), Column("clusters", "所属集群", "code"),
    Column("sector", "行业大类", "code"), Column("output_yuan", "产值", "money_yi"),
    Column("sales_yuan", "网络内销售", "money_yi"), Column("purchases_yuan", "网络内采购", "money_yi"),
    Column("n_customers", "客户数", "integer"), Column("n_suppliers", "供应商数", "integer"),
    Column("pagerank_supplier", "供应商重要性PageRank", "share",
           "买方按采购额把重要性传给供应商（资金流向）key supplier: important buyers depend on it"),
    Column("pagerank_customer", "客户重要性PageRank", "share",
           "卖方按销售额把重要性传给客户（货物流向）key integrator: absorbs important suppliers' output"),
    Column("rank_customer", "客户重要性排名", "integer"),
    Column("betweenness", "中介中心性", "share", "位于供应路径（按层级计）上的比例 share of shortest supply paths through it"),
    Column("rank_betweenness", "中介中心性排名", "integer"), Column("community", "社群", "integer"),
]
NETWORK_COMMUNITY_SHEET = [
    Column("community", "社群", "integer", "按规模编号 numbered by size"), Column("n_nodes", "节点数", "integer"),
    Column("n_province_firms", "省内企业数", "integer"), Column("main_cluster", "主要集群", "code"),
    Column("main_cluster_share", "主要集群占比", "share", "省内企业中属主要集群的比例"),
    Column("main_city", "主要城市", "code"), Column("main_city_share", "主要城市占比", "share"),
    Column("largest_firm", "最大企业", description="购销额最大的成员 largest member by trade"),
    Column("flow_yuan", "涉及交易额", "money_yi"), Column("internal_flow_yuan", "内部交易额", "money_yi"),
    Column("internal_share", "内部交易占比", "share", "内部交易 / 涉及交易 internal share"),
]
NETWORK_LEADER_SHEET = [
    Column("rank", "产值排名", "integer"), Column("node", "信用代码", "code"), Column("name", "龙头企业"),
    Column("city_code", "城市代码", "code"), Column("output_yuan", "产值", "money_yi"),
    Column("purchases_yuan", "采购额", "money_yi"), Column("n_suppliers", "供应商数", "integer"),
    Column("n_same_city_suppliers", "同城供应商数", "integer"), Column("n_province_suppliers", "省内供应商数", "integer"),
    Column("share_same_city", "同城采购占比", "share"), Column("share_other_city", "省内他市采购占比", "share"),
    Column("share_other_province", "外省采购占比", "share"), Column("share_abroad", "进口占比", "share"),
    Column("local_supporting_rate_province", "本地配套率（省）", "share", "省内采购 / 采购"),
    Column("top_supplier", "第一供应商"), Column("top_supplier_share", "第一供应商占比", "share"),
    Column("supplier_hhi", "供应商集中度HHI", "score", "Σ 供应商份额² (0-1)"),
]
NETWORK_BRIDGE_SHEET = [
    Column("node", "信用代码", "code"), Column("name", "企业"), Column("city_code", "城市代码", "code"),
    Column("own_clusters", "所属集群", "code"), Column("linked_clusters", "连接的其他集群", "code", "按交易额从大到小"),
    Column("n_clusters_joined", "连接集群数", "integer", "所属 + 连接 own + linked"),
    Column("flow_yuan", "购销总额", "money_yi"), Column("other_cluster_flow_yuan", "与其他集群交易额", "money_yi"),
    Column("other_cluster_share", "跨集群交易占比", "share"),
    Column("betweenness", "集群网络中介中心性", "share", "在本集群网络中的中介中心性 (空: 不在本集群网络)"),
]
NETWORK_SHEETS = (("summary", "概要", NETWORK_SUMMARY_SHEET), ("key_firms", "关键企业", NETWORK_FIRM_SHEET),
                  ("communities", "企业社群", NETWORK_COMMUNITY_SHEET), ("leaders", "龙头企业供应基础", NETWORK_LEADER_SHEET),
                  ("bridges", "桥接企业", NETWORK_BRIDGE_SHEET))


def write_network(report, fmt: str, path: Path, store: str = "") -> list[Path]:
    """A firm-network report (:class:`jiqun.chains.simulation.NetworkReport`) as xlsx (one sheet per table),
    json (one object of tables) or csv (one file per table: ``<stem>_<table>.csv``, UTF-8 with BOM)."""
    tables = {key: report.tables[key][[c.field for c in columns]] for key, _name, columns in NETWORK_SHEETS}
    path = Path(path)
    if fmt == "json":
        return [write_json(tables, path)]
    if fmt == "csv":
        return [write_csv(frame, path.with_name(f"{path.stem}_{key}.csv")) for key, frame in tables.items()]
    summary = report.tables["summary"].iloc[0]
    notes = [f"集群 cluster: {report.cluster_id}; 年份 year: {report.year}; 中介中心性 betweenness: "
             f"{summary.betweenness_method}; Leiden 分辨率 {summary.resolution:g}, 种子 seed {summary.seed}",
             "方法与定义见 docs/chains.md「企业网络 Firm network」"]
    sheets = [Sheet(name, tables[key], columns, name) for key, name, columns in NETWORK_SHEETS]
    return [write_workbook(path, sheets, About(f"企业网络 firm network {report.cluster_id}", store=store, notes=notes))]
