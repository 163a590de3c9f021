"""Controlled vocabularies (allowed values with their Chinese and English spellings) and
shared column helpers of the data model."""

from __future__ import annotations

from .model import Column as C

#: GB/T 2260 code of the nation as a whole (全国): the reference region of location quotients.
NATION_CODE = "100000"
#: GB/T 2260 code of the home province (Jiangsu 江苏省): what ``province`` / ``全省`` mean.
HOME_PROVINCE_CODE = "320000"
#: The home country (ISO 3166-1 alpha-3): sellers, buyers and parent groups elsewhere are foreign.
HOME_COUNTRY = "CHN"
#: Geographic levels the indicators and the evaluation are computed at, finest first
#: (prefecture city 地级市, then province 省).
ANALYSED_REGION_LEVELS = ("city", "province")

SEGMENTS = {
    "upstream": ("upstream", "上游"),
    "midstream": ("midstream", "中游"),
    "downstream": ("downstream", "下游"),
}
OWNERSHIP = {
    "private": ("private", "domestic private", "民营", "私营", "民营企业", "私营企业"),
    "state": ("state", "state-owned", "state owned", "国有", "国有企业", "国有控股"),
    "foreign": ("foreign", "foreign-invested", "外资", "外商投资", "外商投资企业", "外资企业"),
    "hmt": ("hmt", "hong kong/macao/taiwan", "港澳台", "港澳台投资", "港澳台商投资企业"),
    "collective": ("collective", "集体", "集体企业"),
    "other": ("other", "其他"),
}
SRDI = {  # 专精特新 (specialised, refined, distinctive, innovative) status
    "none": ("none", "无", "否", "0"),
    "provincial": ("provincial", "省级", "省级专精特新", "专精特新", "省级专精特新中小企业"),
    "little_giant": ("little_giant", "national", "小巨人", "国家级", "专精特新小巨人", "国家级专精特新小巨人"),
}
PATENT_TYPES = {
    "invention": ("invention", "发明", "发明专利"),
    "utility": ("utility", "utility model", "实用新型"),
    "design": ("design", "外观设计"),
}
FLOWS = {"import": ("import", "imports", "进口", "m"), "export": ("export", "exports", "出口", "x")}
REPORTER_TYPES = {"firm": ("firm", "企业"), "region": ("region", "地区")}
POLICY_LEVELS = {
    "national": ("national", "国家", "国家级"),
    "province": ("province", "省", "省级"),
    "city": ("city", "市", "市级"),
    "county": ("county", "县", "区", "县级", "区县"),
}
def _instruments() -> dict[str, tuple[str, ...]]:
    """Policy instruments (政策工具) from ``data/instruments.csv``: the OECD STIP Compass instrument types
    (edition 2019) and jiqun's additions for Chinese cluster policy (``stip = no``), with their aliases
    (the codes of earlier jiqun versions among them)."""
    import csv
    from importlib import resources

    with resources.files("jiqun.schema").joinpath("data", "instruments.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {row["code"]: (row["code"], row["name_zh"], row["name_en"],
                          *[alias for alias in row["aliases"].split(";") if alias]) for row in rows}


INSTRUMENTS = _instruments()
#: The market a firm's share or rank refers to (市场范围).
MARKET_SCOPES = {
    "world": ("world", "全球", "世界", "global"),
    "continent": ("continent", "洲", "所在大洲", "亚洲"),
    "national": ("national", "全国", "国内", "china"),
    "province": ("province", "全省", "省内"),
}
#: Who a policy is for (支持对象).
TARGET_GROUPS = {
    "all_firms": ("all_firms", "全部企业", "企业"),
    "sme": ("sme", "中小企业", "专精特新企业"),
    "large_firms": ("large_firms", "龙头企业", "大企业", "链主企业"),
    "startups": ("startups", "初创企业", "科技型初创企业"),
    "research": ("research", "高校院所", "科研机构", "新型研发机构"),
    "talent": ("talent", "人才", "个人"),
    "organizations": ("organizations", "集群促进机构", "行业协会", "产业联盟"),
    "public": ("public", "政府部门", "园区"),
}
#: What a policy is about (政策主题): the shortcomings of the province's assessment it may address.
POLICY_THEMES = {
    "chain": ("chain", "强链补链", "产业链", "本地配套"),
    "chokepoint": ("chokepoint", "关键核心技术攻关", "卡脖子", "技术攻关"),
    "innovation": ("innovation", "创新研发", "科技创新"),
    "firm_growth": ("firm_growth", "企业培育", "梯度培育", "专精特新"),
    "talent": ("talent", "人才"),
    "openness": ("openness", "开放合作", "国际化", "品牌"),
    "finance": ("finance", "金融支持", "融资"),
    "land_infrastructure": ("land_infrastructure", "用地与基础设施", "要素保障"),
    "digital_green": ("digital_green", "数字化绿色化", "智能化改造", "数字化转型", "绿色低碳"),
    "organization": ("organization", "集群促进机构建设", "集群治理"),
    "general": ("general", "综合"),
}
ROLE_LEVELS = {
    "executive": ("executive", "高管"),
    "senior_engineer": ("senior_engineer", "高级工程师", "首席专家"),
    "engineer": ("engineer", "工程师"),
    "technician": ("technician", "技术工人", "技工"),
    "other": ("other", "其他"),
}
CLUSTER_ROLES = {"core": ("core", "核心区"), "collaboration": ("collaboration", "协作区")}
REGION_LEVELS = {
    "nation": ("nation", "全国"),
    "province": ("province", "省"),
    "prefecture": ("prefecture", "地级市", "市"),
    "county": ("county", "县", "区", "县级市"),
    # Development zones that statistics report separately (苏州工业园区 …); they lie in (and roll up
    # into) the city of the first four digits of their code.
    "zone": ("zone", "开发区", "园区", "功能区"),
}
INDUSTRY_LEVELS = {
    "section": ("section", "门类"),
    "division": ("division", "大类"),
    "group": ("group", "中类"),
    "class": ("class", "小类"),
}
ORG_FORMS = {
    "association": ("association", "协会", "行业协会"),
    "alliance": ("alliance", "联盟", "产业联盟"),
    "company": ("company", "公司", "企业"),
    "institute": ("institute", "研究院", "新型研发机构"),
    "other": ("other", "其他"),
}
TRADEMARK_SYSTEMS = {
    "madrid": ("madrid", "马德里"),
    "foreign_national": ("foreign_national", "国外单一注册", "单一国家注册"),
}
CLASSIFICATIONS = {"industry": ("industry", "行业"), "cluster": ("cluster", "集群")}

YEAR = dict(min=1949, max=2100)
NAME_LEN = 200
#: A subclass (H01L), a main group (H01L 21, H01L 21/) or a full symbol (H01L 21/02): concordances name
#: groups, and patent records sometimes stop at the main group.
IPC_PATTERN = r"[A-H][0-9]{2}[A-Z]( ?[0-9]{1,4}(/[0-9]{0,6})?)?"


def _uscc(name: str, zh: str, description: str, required: bool = True) -> C:
    return C(name, "text", zh, description, required=required, uscc=True,
             aliases=("统一社会信用代码",) if name == "uscc" else ())


def _money(name: str, zh: str, description: str, required: bool = False, min: float | None = 0,
           aliases: tuple[str, ...] = ()) -> C:
    return C(name, "double", zh, description, required=required, unit="yuan", min=min, aliases=aliases)
