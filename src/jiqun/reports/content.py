"""What a report (专报) says: its sections assembled from the query layer, and recommendations derived
from the findings, each tied to the finding that triggered it.

A report is a :class:`Report`: a title, a year, the language and a list of :class:`Section` (heading,
paragraphs, tables). The renderers (:mod:`jiqun.reports.render`) turn it into HTML, PDF or XLSX; nothing
here formats for a medium.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..display import format_value

#: Recommendation rules (对策建议规则), declared once: (finding kind, code, Chinese text, English text).
#: ``{segment}``, ``{cluster}``, ``{dimension}``, ``{indicator}`` are filled from the finding.
RECOMMENDATION_RULES: tuple[tuple[str, str, str, str], ...] = (
    ("chokepoint", "fully_dependent", "将“{segment}”列入关键核心技术攻关清单，组织龙头企业与高校院所联合攻关，"
     "同步培育替代供应来源", "Put {segment} on the list of core technologies to tackle jointly by leading firms "
     "and research institutes, and develop alternative sources of supply"),
    ("chokepoint", "lagging", "支持“{segment}”本地企业向高端延伸，以首台（套）和应用验证推动国产替代",
     "Help local makers of {segment} move up to the high end; use first-of-a-kind purchases and application "
     "trials to replace imports"),
    ("chokepoint", "rd_base", "依托省内已有研发基础，推动“{segment}”成果转化和规模化生产",
     "Build on the province's R&D base in {segment}: bring results to market and to scale"),
    ("weak_link", "import_dominant", "“{segment}”供应主要依赖进口：开展链主企业供应链安全评估，"
     "引育本地配套企业", "{segment} is mostly imported: assess the leading firms' supply security and attract "
     "or grow local suppliers"),
    ("weak_link", "branch_dominant", "“{segment}”供应集中于外地分支机构：推动研发和结算功能在本地落地",
     "{segment} is supplied mostly by branch plants: bring their R&D and settlement functions to the province"),
    ("weak_link", "no_local_supplier", "“{segment}”尚无本地供应企业：纳入招商重点，引进或培育配套企业",
     "{segment} has no local supplier: target it in investment promotion, attract or grow suppliers"),
    ("weak_link", "single_supplier", "“{segment}”仅一家本地供应企业：培育第二供应来源，降低断供风险",
     "{segment} has a single local supplier: develop a second source to reduce the risk of a cut-off"),
    ("weak_link", "one_country_dominant", "“{segment}”进口集中于单一国家：拓展多元进口来源，建立储备",
     "{segment}'s imports come mostly from one country: diversify the origins and build reserves"),
    ("weak_link", "capacity_shrinking", "“{segment}”本地产能萎缩：摸排企业经营困难，稳定本地产能",
     "{segment}'s local capacity is shrinking: find out why and keep the capacity in the province"),
    ("weak_link", "suppliers_relocating", "“{segment}”供应企业外迁：开展稳企留企服务，跟踪外迁动向",
     "{segment}'s suppliers are moving out: offer services to keep them and track the moves"),
    ("weakest_dimension", "any", "补强{cluster}的短板维度“{dimension}”，将其相关指标纳入年度考核",
     "Strengthen {cluster}'s weakest dimension, {dimension}, and track its indicators every year"),
    ("alert", "any", "关注预警“{indicator}”：{cluster}应查明原因并提出应对措施",
     "Look into the alert {indicator}: {cluster} should find the cause and respond"),
    ("policy_gap", "any", "{cluster}“{segment}”的问题尚无对应政策：明确牵头部门，配置针对性的政策工具",
     "No policy addresses {cluster}'s problem at {segment}: name a lead department and give it a targeted "
     "instrument"),
    ("policy_overlap", "any", "{cluster}的“{instrument}”由{n}个部门分别实施：整合为一个专项，统一申报、评审与绩效评价",
     "{n} departments each run {instrument} for {cluster}: merge them into one programme with one application, "
     "review and evaluation"),
    ("talent_alert", "any", "{city}高级人才集中流向{rival}：建立省内人才流动监测与协商机制，避免恶性竞争",
     "{city}'s senior staff leave mostly for {rival}: monitor talent moves in the province and agree rules "
     "against poaching"),
    ("firm_close", "any", "{cluster}有{n}家企业距{tier}仅差一项要求：纳入梯度培育库，针对短板精准服务",
     "{n} firms of {cluster} are one requirement short of {tier}: put them in the cultivation pool and help "
     "with what they lack"),
)


#: The evaluation's four dimensions and the three types in a report's words: (Chinese, English).
DIMENSIONS = {"technology_control": ("关键技术控制力", "key technology control"),
              "leading_firms": ("龙头企业带动力", "leading-firm driving power"),
              "brand_international": ("品牌国际影响力", "international brand influence"),
              "chain_integration": ("产业链条整合力", "supply-chain integration")}
TYPE_NAMES = {"leading": ("引领型", "leading"), "breakthrough": ("突破型", "breakthrough"),
              "catch_up": ("赶超型", "catch-up")}


@dataclass
class Table:
    """A table of a report: headers and rows of text (already formatted), numeric columns named."""

    title: str
    headers: list[str]
    rows: list[list[str]]
    numeric: set[int] = field(default_factory=set)


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)  # SVG text


@dataclass
class Report:
    title: str
    subtitle: str
    year: int | None
    lang: str
    sections: list[Section]
    recommendations: list[dict]


def _text(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def recommend(kind: str, code: str, lang: str, evidence: str, **values) -> dict | None:
    """The recommendation a finding triggers (None when no rule covers it), with its evidence."""
    for rule_kind, rule_code, zh, en in RECOMMENDATION_RULES:
        if rule_kind == kind and rule_code in (code, "any"):
            text = _text(lang, zh, en).format(**values)
            return {"kind": kind, "code": code, "text": text, "evidence": evidence}
    return None


def evaluation_table(clusters: list[dict], lang: str) -> Table:
    rows = [[str(c.get("rank") or "—"), c["name_zh"] if lang == "zh" else c["name_en"], c.get("type_zh") if lang == "zh"
             else (c.get("type") or "—"), format_value(c.get("score"), "index"),
             "—" if c.get("rank_p05") is None else f'{c["rank_p05"]}–{c["rank_p95"]}'] for c in clusters]
    headers = (["排名", "集群", "类型", "总分", "90%排名区间"] if lang == "zh"
               else ["Rank", "Cluster", "Type", "Score", "90% rank interval"])
    return Table(_text(lang, "表 集群评价与类型", "Table: evaluation and type"), headers, rows, {0, 3})


def indicator_table(indicators: list[dict], lang: str) -> Table:
    rows = [[i["name_zh"] if lang == "zh" else i["name_en"], format_value(i["value"], i["unit"], True)]
            for i in indicators]
    return Table(_text(lang, "表 主要监测指标（全省）", "Table: headline indicators (province)"),
                 [_text(lang, "指标", "Indicator"), _text(lang, "数值", "Value")], rows, {1})


def weak_link_table(links: list[dict], lang: str, names: dict) -> Table:
    rows = [[names.get(w["cluster_id"], w["cluster_id"]), w["name_zh"], w["rule_zh"] if lang == "zh" else w["rule_en"],
             w["evidence_zh"] if lang == "zh" else w["evidence_en"]] for w in links]
    return Table(_text(lang, "表 产业链薄弱环节", "Table: weak links of the chains"),
                 [_text(lang, "集群", "Cluster"), _text(lang, "环节", "Segment"), _text(lang, "问题", "Finding"),
                  _text(lang, "依据", "Evidence")], rows)


CLASS_NAMES = {"fully_dependent": ("完全受制于国外", "fully dependent"), "lagging": ("与国际先进有差距", "lagging"),
               "rd_base": ("已有研发基础", "R&D base")}


def chokepoint_table(items: list[dict], lang: str) -> Table:
    rows = [[str(i["priority"]), i.get("name_zh") or i["node_id"], i["product"] or "—",
             _text(lang, *CLASS_NAMES[i["class"]]), format_value(i.get("import_share"), "ratio"),
             "—" if i.get("window_years") is None else f'{i["window_years"]:.0f}'] for i in items]
    headers = (["优先级", "环节", "产品(HS6)", "类别", "进口占比", "预计突破年数"] if lang == "zh"
               else ["Priority", "Segment", "Product (HS6)", "Class", "Import share", "Years to breakthrough"])
    return Table(_text(lang, "表 卡脖子清单（按优先级）", "Table: chokepoint inventory by priority"), headers, rows,
                 {0, 4, 5})
