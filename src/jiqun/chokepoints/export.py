"""Edges of the chokepoint inventory (I/O only): the Excel inventory (one sheet per cluster and one for
the province, Chinese headers, evidence columns) and JSON records (numbers as numbers)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..excel import About, Column, Sheet, write_workbook

INVENTORY_COLUMNS = [
    Column("priority", "集群内优先级", "integer", "1 = 最优先攻关 first (最缺什么补什么)"),
    Column("priority_province", "全省优先级", "integer"),
    Column("cluster_id", "集群编号", "code"), Column("node_id", "环节编号", "code"), Column("name_zh", "环节"),
    Column("hs6", "HS编码", "code", "HS 6位产品 product"), Column("product_en", "产品（英文）"),
    Column("class_zh", "类别", description="完全受制于国外 / 与国际先进有差距 / 已有研发基础"),
    Column("class", "类别代码", "code", "fully_dependent / lagging / rd_base"),
    Column("rule_text", "分类依据", description="触发的规则及本项目数值 the rule that placed it, with the values"),
    Column("import_share", "进口占采购比重", "share", "集群本地企业该环节采购中境外采购比重 share of purchases bought abroad"),
    Column("trend_per_year", "进口占比年变化", "share", "近年线性趋势（每年）recent linear trend per year"),
    Column("imports", "省进口额（千美元）", "decimal", "海关进口 thousand USD"),
    Column("top_origin", "第一来源国", "code"), Column("top_origin_share", "第一来源国占比", "share"),
    Column("origin_basis_zh", "来源口径", description="海关进口 customs / 环节境外采购 purchases abroad (no HS6)"),
    Column("import_hhi", "进口来源集中度HHI", "score"), Column("import_export_ratio", "进出口比", "decimal",
                                                           "进口/出口，无出口为9999"),
    Column("world_export_hhi", "全球出口集中度HHI", "score", "需世界贸易数据 needs world trade"),
    Column("n_criteria_met", "满足依赖标准数", "integer"), Column("dependent", "依赖性产品", "flag"),
    Column("patent_year", "专利年份", "integer", "技术基础所用申请年份（专利数据止于更早年份时取其最后一年）patent year used"),
    Column("n_region_patents", "省内专利申请", "integer", "该环节IPC类省内申请人当年专利 region's patent applications"),
    Column("n_region_patents_3y", "省内专利近三年年均", "decimal", "近三年年均申请（分类依据）3-year mean, used by the rules"),
    Column("rta", "显示性技术优势RTA", "decimal"), Column("region_patent_growth", "专利年均增速", "share"),
    Column("foreign_patent_share", "境外申请人占比", "share"), Column("n_patenting_firms", "有专利企业数", "integer"),
    Column("density", "中国关联密度", "score", "中国已具比较优势的产品与该产品的接近程度（需世界贸易）density: within reach"),
    Column("pci", "产品复杂度PCI", "decimal", "需世界贸易 needs world trade"),
    Column("tech_fields", "技术领域（WIPO）", description="该环节IPC类所属WIPO 35技术领域编号 WIPO fields"),
    Column("tech_density", "技术关联密度", "score",
           "省内已具优势的技术领域与该环节技术的接近程度（各省×技术领域）technological density: within reach"),
    Column("tech_rca", "技术领域RTA（省际）", "decimal", "各省比较下的显示性技术优势 RTA among provinces"),
    Column("tech_cog", "技术机会收益COG", "decimal", "掌握后对省技术复杂度的提升 complexity outlook gain"),
    Column("window_years", "预计突破年数", "decimal", "按进口占比趋势降至目标所需年数 years to the target"),
    Column("window_low", "年数下限", "decimal"), Column("window_high", "年数上限", "decimal", "空 = 区间无上限 open"),
    Column("window_reason", "窗口期说明", description="估计的假设或无法估计的原因"),
    Column("opportunity", "机遇窗口", "flag"), Column("opportunity_reason", "机遇说明"),
    Column("criticality", "关键性得分", "score"), Column("severity", "严重性得分", "score"),
    Column("feasibility", "可行性得分", "score"), Column("priority_score", "优先级得分", "score"),
    Column("rank_best", "敏感性最好排名", "integer"), Column("rank_worst", "敏感性最差排名", "integer"),
    Column("purchase_share", "占集群采购比重", "share"), Column("downstream_output_share", "下游产值占比", "share"),
]


def json_records(items: pd.DataFrame) -> list[dict]:
    """One record per item: the contract's ``cluster``, ``product``, ``class``, ``priority``,
    ``window_years``, ``evidence`` first, then the other columns (numbers as numbers, NaN as null)."""
    front = items.rename(columns={"cluster_id": "cluster", "hs6": "product"})
    evidence = front.pop("evidence").tolist()
    records = json.loads(front.to_json(orient="records", force_ascii=False))
    out = []
    for record, proof in zip(records, evidence):
        head = {key: record.pop(key) for key in ("cluster", "product", "class", "priority", "window_years")}
        out.append({**head, "evidence": proof, **record})
    return out


def write_inventory_json(items: pd.DataFrame, path: Path | None = None) -> str:
    """The inventory as JSON text; written to ``path`` when given."""
    text = json.dumps(json_records(items), ensure_ascii=False, indent=1)
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return text


def write_inventory_workbook(items: pd.DataFrame, path: Path, notes: list[str], cluster_names: dict,
                             store: str = "") -> Path:
    """The inventory as XLSX: 全省 (every item by province priority), then one sheet per cluster."""
    fields = [c.field for c in INVENTORY_COLUMNS]
    frame = items.reindex(columns=fields)
    sheets = [Sheet("全省", frame.sort_values("priority_province"), INVENTORY_COLUMNS, "全省卡脖子清单 province inventory")]
    for cluster_id, group in frame.groupby("cluster_id", sort=True):
        title = cluster_names.get(cluster_id, cluster_id)
        sheets.append(Sheet(str(title)[:31], group.sort_values("priority"), INVENTORY_COLUMNS,
                            f"{title} 卡脖子清单 ({cluster_id})"))
    about = About("卡脖子技术攻关清单 chokepoint inventory", store=store,
                  notes=notes + ["方法、规则与假设见 docs/chokepoints.md；分类规则 src/jiqun/chokepoints/data/classes.yaml"])
    return write_workbook(path, sheets, about)


#: Columns of a region's technology-field table (``jiqun complexity``).
RELATEDNESS_COLUMNS = [
    Column("year", "年份", "integer"), Column("region", "地区代码", "code"), Column("region_zh", "地区"),
    Column("field_nr", "技术领域编号", "integer", "WIPO 35个技术领域（Schmoch 2008）WIPO field number"),
    Column("field_name_zh", "技术领域"), Column("field_name", "技术领域（英文）"),
    Column("n", "专利申请（窗口合计）", "integer", "窗口期内各年申请量合计 applications pooled over the window"),
    Column("rca", "显示性技术优势RTA", "decimal", "(P_rf/P_r)/(P_f/P)，各省比较 among provinces"),
    Column("mcp", "具比较优势", "integer", "RTA ≥ 阈值为1 1 where RTA ≥ threshold"),
    Column("density", "关联密度", "score", "已具优势领域与该领域的接近程度 density: within reach"),
    Column("pci", "领域复杂度", "decimal", "技术复杂度（标准化）technology complexity"),
    Column("cog", "机会收益COG", "decimal", "掌握该领域对地区复杂度的提升（已具优势为0）complexity outlook gain"),
    Column("eci", "地区技术复杂度", "decimal", "地区经济（技术）复杂度ECI region's complexity"),
    Column("eci_rank", "复杂度排名", "integer", "当年各地区ECI排名 rank by ECI"), Column("n_regions", "地区数", "integer"),
    Column("diversity", "优势领域数", "integer"), Column("ubiquity", "具优势地区数", "integer"),
]


def write_relatedness(frame: pd.DataFrame, path: Path, notes: list[str], store: str = "") -> Path:
    """A region's technology fields as XLSX (one sheet, Chinese headers, a 说明 sheet) or CSV with a BOM
    (Chinese headers), by the file's suffix."""
    from ..excel import write_csv

    columns = [c for c in RELATEDNESS_COLUMNS if c.field in frame.columns]
    path = Path(path)
    if path.suffix.lower() == ".csv":
        return write_csv(frame[[c.field for c in columns]].rename(columns={c.field: c.header for c in columns}), path)
    about = About("技术关联与复杂度 Technological relatedness and complexity (regions × WIPO fields)",
                  store=store, notes=notes)
    return write_workbook(path, [Sheet("技术领域", frame[[c.field for c in columns]], columns,
                                       "地区各技术领域的优势、关联密度与复杂度")], about)
