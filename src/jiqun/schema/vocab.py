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
INSTRUMENTS = {
    "subsidy": ("subsidy", "补贴", "专项资金", "奖补"),
    "tax": ("tax", "税收", "税收优惠"),
    "finance": ("finance", "金融", "基金", "融资"),
    "land": ("land", "用地", "土地"),
    "talent": ("talent", "人才"),
    "procurement": ("procurement", "采购", "政府采购"),
    "platform": ("platform", "平台", "创新平台"),
    "regulation": ("regulation", "规制", "标准"),
    "plan": ("plan", "规划", "行动计划"),
    "other": ("other", "其他"),
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
