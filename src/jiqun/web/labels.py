"""Every label of the web pages, once, in Chinese and English (翻译表). Pages look labels up by key and
language; a key missing here is an error in the test suite, not a blank on a page."""

from __future__ import annotations

LANGUAGES = ("zh", "en")

#: key → (Chinese, English)
LABELS: dict[str, tuple[str, str]] = {
    "site": ("jiqun 集群观察", "jiqun cluster observatory"),
    "overview": ("全省概览", "Province overview"),
    "clusters": ("重点集群", "Key clusters"),
    "cluster": ("集群", "Cluster"),
    "type": ("类型", "Type"),
    "score": ("总分", "Score"),
    "rank": ("排名", "Rank"),
    "rank_interval": ("90%区间", "90% interval"),
    "score_change": ("较上年", "Change on last year"),
    "explanation": ("分类依据", "Why this type"),
    "year": ("年份", "Year"),
    "not_evaluated": ("尚无评价结果：请运行 jiqun evaluate --save", "No evaluation stored yet: run jiqun evaluate --save"),
    "evaluation": ("评价与类型", "Evaluation and type"),
    "dimensions": ("四个维度得分", "Scores of the four dimensions"),
    "dimension": ("维度", "Dimension"),
    "indicators": ("主要指标（全省）", "Headline indicators (province)"),
    "indicator": ("指标", "Indicator"),
    "value": ("数值", "Value"),
    "strength": ("各市集群强度", "Cluster strength by city"),
    "city": ("城市", "City"),
    "employment": ("从业人员", "Employment"),
    "lq": ("区位商", "Location quotient"),
    "strong": ("强集群", "Strong"),
    "alerts": ("预警", "Alerts"),
    "no_alerts": ("本年无预警", "No alert fires this year"),
    "evidence": ("依据", "Evidence"),
    "chokepoints": ("卡脖子清单", "Chokepoint inventory"),
    "segment": ("环节", "Segment"),
    "product": ("产品", "Product"),
    "class": ("类别", "Class"),
    "priority": ("优先级", "Priority"),
    "import_share": ("进口占比", "Import share"),
    "window": ("预计突破年数", "Years to a breakthrough"),
    "rule": ("分类规则", "Rule"),
    "data": ("数据与来源", "Data and provenance"),
    "loads": ("加载记录", "Loads"),
    "file": ("文件", "File"),
    "table": ("数据表", "Table"),
    "rows": ("行数", "Rows"),
    "vintage": ("数据版本", "Vintage"),
    "loaded_at": ("加载时间", "Loaded at"),
    "json_twin": ("本页数据（JSON）", "This page's data (JSON)"),
    "language": ("English", "中文"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "dim_technology_control": ("关键技术控制力", "Key technology control"),
    "dim_leading_firms": ("龙头企业带动力", "Leading-firm driving power"),
    "dim_brand_international": ("品牌国际影响力", "International brand influence"),
    "dim_chain_integration": ("产业链条整合力", "Supply-chain integration"),
    "type_leading": ("引领型", "Leading"),
    "type_breakthrough": ("突破型", "Breakthrough"),
    "type_catch_up": ("赶超型", "Catch-up"),
    "class_fully_dependent": ("完全受制于国外", "Fully dependent on foreign supply"),
    "class_lagging": ("与国际先进有差距", "Lags the international level"),
    "class_rd_base": ("已有研发基础", "A domestic R&D base"),
    "not_found": ("未找到", "Not found"),
    "city_map": ("分市专题图", "Map of the cities"),
    "all_industries": ("全部行业", "All industries"),
    "no_data": ("无数据", "no data"),
    "show": ("显示", "Show"),
    "this_cluster": ("本集群", "This cluster"),
    "upload": ("上传数据文件", "Load a file"),
    "load": ("校验并加载", "Check and load"),
    "upload_note": ("与 jiqun ingest 相同的校验：整批加载或整批拒绝，拒绝时列出错误", "The same checks as jiqun ingest: "
                    "all rows load or none, and a refusal lists the problems"),
    "loaded": ("已加载", "Loaded"),
    "refused": ("已拒绝，未写入任何数据", "Refused, nothing was written"),
    "inserted_updated_unchanged": ("新增/更新/未变", "inserted / updated / unchanged"),
    "column": ("列", "Column"),
    "check_rule": ("校验规则", "Check"),
    "problem": ("问题", "Problem"),
    "province_best": ("全省最高", "Province best"),
    "province_median": ("全省中位", "Province median"),
}


def label(key: str, lang: str) -> str:
    """The label of ``key`` in ``lang`` (``zh`` or ``en``); KeyError for a key not in :data:`LABELS`."""
    zh, en = LABELS[key]
    return en if lang == "en" else zh
