"""The labels an NBS-layout input–output table uses (投入产出表的行列标签), English codes and Chinese names.

Columns and rows are recognised by their normalised text (NFKC, no spaces, case-folded, without a
trailing unit in brackets), never by position or by the look of the numbers below them.
"""

from __future__ import annotations

import re
import unicodedata

#: Column roles → accepted header labels. The key is the code the reader uses.
COLUMN_LABELS: dict[str, tuple[str, ...]] = {
    "code": ("code", "代码", "部门代码", "编码", "产品部门代码"),
    "name_en": ("description", "name", "sector", "英文名称"),
    "name_zh": ("descriptioninchinese", "部门名称", "产品部门", "名称", "中文名称", "部门"),
    "origin": ("origin", "来源", "产品来源", "类型"),
    "TIU": ("tiu", "中间使用合计", "中间使用"),
    "TFU": ("tfu", "最终使用合计"),
    "EX": ("ex", "出口"),
    "IM": ("im", "进口"),
    "GO": ("go", "总产出"),
    "ERR": ("err", "其他", "误差"),
    "TC": ("tc", "最终消费支出", "最终消费", "最终消费合计"),
    "THC": ("thc", "居民消费支出", "居民消费", "居民消费合计"),
    "FU101": ("fu101", "农村居民消费支出", "农村居民消费"),
    "FU102": ("fu102", "城镇居民消费支出", "城镇居民消费"),
    "FU103": ("fu103", "政府消费支出", "政府消费"),
    "GCF": ("gcf", "资本形成总额", "资本形成合计"),
    "FU201": ("fu201", "固定资本形成总额", "固定资本形成"),
    "FU202": ("fu202", "存货变动", "存货增加"),
}

#: Final-use columns that are subtotals of others (kept, but never added up with their parts).
FINAL_USE_SUBTOTALS = ("TC", "THC", "GCF", "TFU")

#: Rows below the sector block → accepted labels (in the code or a name column).
ROW_LABELS: dict[str, tuple[str, ...]] = {
    "TII": ("tii", "中间投入合计", "中间投入"),
    "VA001": ("va001", "劳动者报酬"),
    "VA002": ("va002", "生产税净额"),
    "VA003": ("va003", "固定资产折旧"),
    "VA004": ("va004", "营业盈余"),
    "TVA": ("tva", "增加值合计", "增加值"),
    "TI": ("ti", "总投入"),
}

#: Origin values (the Origin column, or a section row such as 国内产品 above a block of rows).
ORIGIN_LABELS: dict[str, tuple[str, ...]] = {
    "Domestic": ("domestic", "国内", "国内产品", "国产", "国内生产"),
    "Imports": ("imports", "import", "imported", "进口", "进口产品"),
    "TOT": ("tot", "total", "合计", "总计"),
}

#: Chinese names of the column and row codes (for docs and messages).
CHINESE_NAMES = {
    "TIU": "中间使用合计", "TFU": "最终使用合计", "EX": "出口", "IM": "进口", "GO": "总产出", "ERR": "其他",
    "TC": "最终消费支出", "THC": "居民消费支出", "FU101": "农村居民消费支出", "FU102": "城镇居民消费支出",
    "FU103": "政府消费支出", "GCF": "资本形成总额", "FU201": "固定资本形成总额", "FU202": "存货变动",
    "TII": "中间投入合计", "VA001": "劳动者报酬", "VA002": "生产税净额", "VA003": "固定资产折旧",
    "VA004": "营业盈余", "TVA": "增加值合计", "TI": "总投入",
}

_UNIT_SUFFIX = re.compile(r"[（(][^）)]*[）)]$")
UNIT_LINE = re.compile(r"单位\s*[:：]\s*(万元|亿元|千元|百万元|元)|\bunits?\s*[:：]\s*(\S+)", re.IGNORECASE)
MISSING_TEXTS = ("", "-", "--", "—", "——", "…", "nan")


def normalise(text: str | None) -> str:
    """Text as compared with the labels: NFKC, spaces removed, case-folded, a trailing (unit) dropped."""
    if text is None:
        return ""
    value = unicodedata.normalize("NFKC", str(text))
    value = re.sub(r"\s+", "", value).casefold()
    return _UNIT_SUFFIX.sub("", value) or value


def _lookup(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {normalise(label): key for key, labels in table.items() for label in labels}


COLUMN_BY_LABEL = _lookup(COLUMN_LABELS)
ROW_BY_LABEL = _lookup(ROW_LABELS)
ORIGIN_BY_LABEL = _lookup(ORIGIN_LABELS)
