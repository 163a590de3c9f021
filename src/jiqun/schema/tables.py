"""The declaration of every table jiqun stores: the single source of truth.

DDL (:mod:`jiqun.schema.ddl`), ingest validation (:mod:`jiqun.ingest.validate`)
and ``docs/data-model.md`` (:mod:`jiqun.schema.docs`) are all derived from
:data:`TABLES`. Layers: ``catalogue`` tables are the shipped reference lists a
user may edit; ``fact`` tables hold the user's data; ``meta`` tables record
provenance.
"""

from __future__ import annotations

from .model import Column as C
from .model import ForeignKey as FK
from .model import RowRule, Table

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
IPC_PATTERN = r"[A-H][0-9]{2}[A-Z]( ?[0-9]{1,4}/[0-9]{1,6})?"


def _uscc(name: str, zh: str, description: str, required: bool = True) -> C:
    return C(name, "text", zh, description, required=required, uscc=True,
             aliases=("统一社会信用代码",) if name == "uscc" else ())


def _money(name: str, zh: str, description: str, required: bool = False, min: float | None = 0,
           aliases: tuple[str, ...] = ()) -> C:
    return C(name, "double", zh, description, required=required, unit="yuan", min=min, aliases=aliases)


# --------------------------------------------------------------------------- catalogue
REGIONS = Table(
    "regions", "行政区划", "catalogue",
    grain="one administrative division (GB/T 2260)",
    description="China as a whole (code 100000, the reference area; a common convention, not part of "
    "GB/T 2260), its province-level divisions, Jiangsu's 13 prefecture cities and its county-level divisions.",
    columns=(
        C("region_code", "text", "行政区划代码", "6-digit GB/T 2260 code", required=True,
          pattern=r"[1-9][0-9]{5}", aliases=("code", "区划代码")),
        C("name_zh", "text", "中文名称", "Chinese name", required=True, max_length=NAME_LEN),
        C("name_en", "text", "英文名称", "English name", required=True, max_length=NAME_LEN),
        C("level", "text", "级别", "nation, province, prefecture or county", required=True, enum=REGION_LEVELS),
        C("parent_code", "text", "上级代码", "code of the enclosing division", pattern=r"[1-9][0-9]{5}"),
    ),
    primary_key=("region_code",),
    foreign_keys=(FK(("parent_code",), "regions", ("region_code",)),),
)

INDUSTRIES = Table(
    "industries", "国民经济行业", "catalogue",
    grain="one GB/T 4754-2017 section, division, group or class",
    description="Industry classification GB/T 4754-2017: all manufacturing divisions 13-43 and the "
    "groups and classes the clusters use.",
    columns=(
        C("industry_code", "text", "行业代码", "section letter or 2/3/4-digit code", required=True,
          pattern=r"[A-T]|[0-9]{2,4}", aliases=("code",)),
        C("level", "text", "级别", "section, division, group or class", required=True, enum=INDUSTRY_LEVELS),
        C("name_zh", "text", "中文名称", "Chinese name", required=True, max_length=NAME_LEN),
        C("name_en", "text", "英文名称", "English name", required=True, max_length=NAME_LEN),
        C("parent_code", "text", "上级代码", "enclosing level's code"),
    ),
    primary_key=("industry_code",),
    foreign_keys=(FK(("parent_code",), "industries", ("industry_code",)),),
)

COUNTRIES = Table(
    "countries", "国家和地区", "catalogue",
    grain="one ISO 3166-1 country or territory",
    description="ISO 3166-1 countries (from the pycountry package), for partner and applicant codes.",
    columns=(
        C("country_code", "text", "国家代码", "ISO 3166-1 alpha-3", required=True, pattern=r"[A-Z]{3}"),
        C("alpha2", "text", "二位代码", "ISO 3166-1 alpha-2", required=True, pattern=r"[A-Z]{2}"),
        C("name_en", "text", "英文名称", "English name", required=True, max_length=NAME_LEN),
    ),
    primary_key=("country_code",),
)

HS_CHAPTERS = Table(
    "hs_chapters", "HS章", "catalogue",
    grain="one chapter of the Harmonized System",
    description="HS chapters 01-97 (77 reserved); 6-digit codes are checked against them.",
    columns=(
        C("chapter", "text", "章", "2-digit HS chapter", required=True, pattern=r"[0-9]{2}"),
        C("name_en", "text", "英文名称", "English title", required=True, max_length=500),
        C("name_zh", "text", "中文名称", "Chinese title", max_length=500),
    ),
    primary_key=("chapter",),
)

IPC_FIELDS = Table(
    "ipc_technology_fields", "IPC技术领域对照", "catalogue",
    grain="one IPC pattern of WIPO's 35-field technology concordance",
    description="WIPO IPC-technology concordance (Schmoch); `ipc` is a SQL LIKE pattern.",
    columns=(
        C("field_nr", "integer", "领域编号", "WIPO technology field 1-35", required=True, min=1, max=35),
        C("sector", "text", "技术部门", "one of WIPO's 5 sectors", required=True),
        C("field_name", "text", "技术领域", "technology field name", required=True),
        C("ipc", "text", "IPC模式", "IPC LIKE pattern (PATSTAT padding)", required=True),
    ),
    primary_key=("ipc",),
)

CLUSTERS = Table(
    "clusters", "重点集群", "catalogue",
    grain="one key advanced-manufacturing cluster",
    description="Jiangsu's 14 key advanced-manufacturing clusters (苏政发〔2018〕86号 and later briefs).",
    columns=(
        C("cluster_id", "text", "集群编号", "short lowercase id", required=True, pattern=r"[a-z][a-z0-9_]*"),
        C("name_zh", "text", "集群名称", "Chinese name", required=True, max_length=NAME_LEN),
        C("name_en", "text", "英文名称", "English name", required=True, max_length=NAME_LEN),
        C("source", "text", "来源", "document that names the cluster", max_length=1000),
        C("is_assumption", "boolean", "是否假设", "true where no source names the cluster", default="false"),
        C("note", "text", "备注", "remarks", max_length=2000),
    ),
    primary_key=("cluster_id",),
)

CLUSTER_INDUSTRIES = Table(
    "cluster_industries", "集群行业构成", "catalogue",
    grain="one member industry of one cluster",
    description="GB/T 4754-2017 codes whose firms belong to the cluster.",
    columns=(
        C("cluster_id", "text", "集群编号", "cluster", required=True, codelist="cluster"),
        C("industry_code", "text", "行业代码", "member industry", required=True, codelist="industry"),
    ),
    primary_key=("cluster_id", "industry_code"),
)

CLUSTER_REGIONS = Table(
    "cluster_regions", "集群空间布局", "catalogue",
    grain="one city of one cluster",
    description="Core (核心区) and collaboration (协作区) cities of each cluster.",
    columns=(
        C("cluster_id", "text", "集群编号", "cluster", required=True, codelist="cluster"),
        C("region_code", "text", "城市代码", "prefecture city", required=True, codelist="region"),
        C("role", "text", "角色", "core or collaboration", required=True, enum=CLUSTER_ROLES),
    ),
    primary_key=("cluster_id", "region_code"),
)

CHAIN_NODES = Table(
    "chain_nodes", "产业链环节", "catalogue",
    grain="one segment (node) of one cluster's chain template",
    description="Chain template per cluster (产业链图谱): segments marked upstream/midstream/downstream.",
    columns=(
        C("node_id", "text", "环节编号", "e.g. iot.u1", required=True, pattern=r"[a-z0-9_]+\.[a-z0-9_]+"),
        C("cluster_id", "text", "集群编号", "cluster", required=True, codelist="cluster"),
        C("segment", "text", "链位", "upstream, midstream or downstream", required=True, enum=SEGMENTS),
        C("name_zh", "text", "环节名称", "Chinese name", required=True, max_length=NAME_LEN),
        C("name_en", "text", "英文名称", "English name", required=True, max_length=NAME_LEN),
        C("is_key_component", "boolean", "是否关键环节", "import-dependent key part or technology",
          default="false"),
        C("description", "text", "说明", "what the segment makes", max_length=2000),
    ),
    primary_key=("node_id",),
)

CHAIN_NODE_PRODUCTS = Table(
    "chain_node_products", "环节产品", "catalogue",
    grain="one HS product of one chain node",
    description="HS 6-digit products a chain segment makes.",
    columns=(
        C("node_id", "text", "环节编号", "chain node", required=True, codelist="chain_node"),
        C("hs6", "text", "HS编码", "HS 6-digit code", required=True, codelist="hs6"),
    ),
    primary_key=("node_id", "hs6"),
)

CHAIN_NODE_TECHNOLOGIES = Table(
    "chain_node_technologies", "环节技术", "catalogue",
    grain="one IPC class of one chain node",
    description="IPC classes whose patents belong to a chain segment.",
    columns=(
        C("node_id", "text", "环节编号", "chain node", required=True, codelist="chain_node"),
        C("ipc", "text", "IPC分类", "IPC subclass or group", required=True, codelist="ipc"),
    ),
    primary_key=("node_id", "ipc"),
)

CHAIN_LINKS = Table(
    "chain_links", "产业链关联", "catalogue",
    grain="one supplier-to-buyer relation between two nodes of a template",
    description="Directed links supplier node -> buying node within a cluster's chain template.",
    columns=(
        C("cluster_id", "text", "集群编号", "cluster", required=True, codelist="cluster"),
        C("from_node_id", "text", "供给环节", "supplying node", required=True, codelist="chain_node"),
        C("to_node_id", "text", "需求环节", "buying node", required=True, codelist="chain_node"),
    ),
    primary_key=("from_node_id", "to_node_id"),
    rules=(RowRule("no_self_link", "from_node_id <> to_node_id", ("from_node_id", "to_node_id"),
                   "a node cannot supply itself", "环节不能自我供给"),),
)

# --------------------------------------------------------------------------- facts
FIRMS = Table(
    "firms", "企业", "fact",
    grain="one legal-entity firm",
    description="Firm register: identity, location, industry, ownership, group ties and status.",
    columns=(
        _uscc("uscc", "统一社会信用代码", "unified social credit code (GB 32100-2015)"),
        C("name", "text", "企业名称", "registered name", required=True, max_length=NAME_LEN,
          aliases=("firm_name", "名称")),
        C("address", "text", "地址", "registered address", max_length=500, aliases=("注册地址",)),
        C("region_code", "text", "行政区划代码", "county-level GB/T 2260 code", required=True,
          codelist="region", aliases=("所在地区代码", "区划代码")),
        C("industry_code", "text", "行业代码", "GB/T 4754-2017 code", required=True,
          codelist="industry", aliases=("国民经济行业代码", "所属行业代码")),
        C("ownership", "text", "登记注册类型", "private, state, foreign, hmt, collective or other",
          enum=OWNERSHIP, aliases=("所有制", "企业类型")),
        C("parent_group", "text", "所属集团", "parent group's name", max_length=NAME_LEN,
          aliases=("母公司", "集团名称")),
        C("parent_country", "text", "集团总部国家", "country of the group headquarters",
          codelist="country"),
        C("parent_region_code", "text", "集团总部地区", "GB/T 2260 code of a domestic group's head office",
          codelist="region"),
        C("is_branch", "boolean", "是否分支机构", "branch plant / production base of a foreign or "
          "out-of-province group", default="false", aliases=("是否外地集团生产基地",)),
        C("listed", "boolean", "是否上市", "listed on a stock exchange", default="false"),
        C("founded_on", "date", "成立日期", "date of establishment", not_future=True,
          aliases=("成立时间", "注册日期")),
        C("srdi_level", "text", "专精特新等级", "专精特新 status: none, provincial, little_giant",
          enum=SRDI, default="'none'", aliases=("专精特新",)),
        C("single_champion", "boolean", "单项冠军", "MIIT manufacturing single champion", default="false",
          aliases=("制造业单项冠军",)),
    ),
    primary_key=("uscc",),
)

FIRM_YEARS = Table(
    "firm_years", "企业年度指标", "fact",
    grain="one firm in one year",
    description="Annual accounts of a firm. Money in yuan (headers in 万元/亿元 are converted).",
    columns=(
        _uscc("uscc", "统一社会信用代码", "firm"),
        C("year", "integer", "年份", "calendar year", required=True, **YEAR),
        _money("revenue_yuan", "营业收入", "main-business revenue (主营业务收入)",
               aliases=("主营业务收入",)),
        _money("output_value_yuan", "工业总产值", "gross industrial output value"),
        C("employment", "integer", "从业人员", "average number of employees", unit="persons", min=0,
          aliases=("从业人员平均人数", "年末从业人员")),
        _money("rd_expenditure_yuan", "研发经费", "R&D expenditure"),
        _money("exports_yuan", "出口交货值", "export delivery value"),
        _money("profit_yuan", "利润总额", "total profit (may be negative)", min=None),
    ),
    primary_key=("uscc", "year"),
    foreign_keys=(FK(("uscc",), "firms", ("uscc",)),),
    rules=(
        RowRule("rd_not_above_revenue", "rd_expenditure_yuan <= revenue_yuan",
                ("rd_expenditure_yuan", "revenue_yuan"),
                "R&D expenditure exceeds revenue", "研发经费超过营业收入"),
        RowRule("exports_not_above_output", "exports_yuan <= 1.5 * output_value_yuan",
                ("exports_yuan", "output_value_yuan"),
                "export delivery value exceeds 1.5x output value", "出口交货值超过工业总产值的1.5倍"),
        RowRule("year_not_future", "year <= year(current_date)", ("year",),
                "year lies in the future", "年份晚于当前"),
    ),
)

FIRM_CHAIN_NODES = Table(
    "firm_chain_nodes", "企业链位", "fact",
    grain="one chain segment served by one firm",
    description="Which chain segment(s) a firm serves.",
    columns=(
        _uscc("uscc", "统一社会信用代码", "firm"),
        C("node_id", "text", "环节编号", "chain node", required=True, codelist="chain_node"),
        C("is_primary", "boolean", "是否主营环节", "the firm's main segment", default="true"),
    ),
    primary_key=("uscc", "node_id"),
    foreign_keys=(FK(("uscc",), "firms", ("uscc",)),),
)

_IN_JIANGSU = "{side}_region_code LIKE '32%' AND {side}_uscc IS NOT NULL"
TRANSACTIONS = Table(
    "transactions", "供应交易", "fact",
    grain="one supply flow: seller x buyer x year x chain node or product",
    description="Supply transactions between firms. Counterparts outside Jiangsu are identified by "
    "their region code, foreign ones by country code.",
    columns=(
        C("transaction_id", "text", "交易编号", "identifier of the flow", required=True, max_length=64),
        C("year", "integer", "年份", "calendar year", required=True, **YEAR),
        _uscc("seller_uscc", "卖方信用代码", "seller (if a registered Chinese firm)", required=False),
        C("seller_region_code", "text", "卖方地区", "seller's GB/T 2260 code (domestic sellers)",
          codelist="region"),
        C("seller_country", "text", "卖方国家", "seller's country (ISO alpha-3)", codelist="country",
          default="'CHN'"),
        _uscc("buyer_uscc", "买方信用代码", "buyer (if a registered Chinese firm)", required=False),
        C("buyer_region_code", "text", "买方地区", "buyer's GB/T 2260 code", codelist="region"),
        C("buyer_country", "text", "买方国家", "buyer's country (ISO alpha-3)", codelist="country",
          default="'CHN'"),
        C("node_id", "text", "环节编号", "chain node of the goods", codelist="chain_node"),
        C("hs6", "text", "HS编码", "HS 6-digit product", codelist="hs6"),
        _money("amount_yuan", "交易金额", "value of the flow", required=True),
    ),
    primary_key=("transaction_id",),
    foreign_keys=(
        FK(("seller_uscc",), "firms", ("uscc",), when=_IN_JIANGSU.format(side="seller")),
        FK(("buyer_uscc",), "firms", ("uscc",), when=_IN_JIANGSU.format(side="buyer")),
    ),
    rules=(
        RowRule("domestic_seller_has_region", "seller_country <> 'CHN' OR seller_region_code IS NOT NULL",
                ("seller_country", "seller_region_code"),
                "a domestic seller needs a region code", "国内卖方须填写地区代码"),
        RowRule("domestic_buyer_has_region", "buyer_country <> 'CHN' OR buyer_region_code IS NOT NULL",
                ("buyer_country", "buyer_region_code"),
                "a domestic buyer needs a region code", "国内买方须填写地区代码"),
        RowRule("not_self_trade", "seller_uscc IS NULL OR buyer_uscc IS NULL OR seller_uscc <> buyer_uscc",
                ("seller_uscc", "buyer_uscc"), "seller and buyer are the same firm", "买卖双方为同一企业"),
        RowRule("node_or_product", "node_id IS NOT NULL OR hs6 IS NOT NULL", ("node_id", "hs6"),
                "give a chain node or an HS product", "须填写产业链环节或HS编码"),
        RowRule("year_not_future", "year <= year(current_date)", ("year",),
                "year lies in the future", "年份晚于当前"),
    ),
)

TRADE = Table(
    "trade", "进出口", "fact",
    grain="one reporter (firm or region) x HS6 x partner country x flow x year",
    description="Customs trade of firms or regions.",
    columns=(
        C("reporter", "text", "申报主体", "firm USCC or GB/T 2260 region code", required=True, max_length=18),
        C("reporter_type", "text", "主体类型", "firm or region", required=True, enum=REPORTER_TYPES),
        C("year", "integer", "年份", "calendar year", required=True, **YEAR),
        C("flow", "text", "贸易方向", "import or export", required=True, enum=FLOWS),
        C("hs6", "text", "HS编码", "HS 6-digit product", required=True, codelist="hs6", aliases=("商品编码",)),
        C("partner_country", "text", "贸易伙伴", "partner country (ISO alpha-3)", required=True,
          codelist="country", aliases=("partner", "国别")),
        C("value_usd", "double", "金额(美元)", "customs value in US dollars", required=True, unit="USD",
          min=0, aliases=("美元金额",)),
        C("quantity", "double", "数量", "quantity", min=0),
        C("quantity_unit", "text", "计量单位", "unit of quantity", max_length=20),
    ),
    primary_key=("reporter", "year", "flow", "hs6", "partner_country"),
    foreign_keys=(
        FK(("reporter",), "firms", ("uscc",), when="reporter_type = 'firm'"),
        FK(("reporter",), "regions", ("region_code",), when="reporter_type = 'region'"),
    ),
    rules=(RowRule("year_not_future", "year <= year(current_date)", ("year",),
                   "year lies in the future", "年份晚于当前"),),
)

PATENTS = Table(
    "patents", "专利", "fact",
    grain="one patent application",
    description="Patent applications and grants with IPC classes.",
    columns=(
        C("patent_id", "text", "申请号", "application number", required=True, max_length=40),
        _uscc("applicant_uscc", "申请人信用代码", "applicant firm (Chinese firms)", required=False),
        C("applicant_name", "text", "申请人", "first applicant's name", max_length=NAME_LEN),
        C("applicant_country", "text", "申请人国别", "applicant's country", codelist="country",
          default="'CHN'"),
        C("applicant_region_code", "text", "申请人地区", "applicant's GB/T 2260 code", codelist="region"),
        C("application_date", "date", "申请日", "application date", required=True, not_future=True),
        C("grant_date", "date", "授权日", "grant date (empty if not granted)", not_future=True),
        C("ipc_main", "text", "主分类号", "main IPC symbol", required=True, codelist="ipc"),
        C("ipc_all", "text", "IPC分类号", "all IPC symbols separated by ;", codelist="ipc", multi=True),
        C("patent_type", "text", "专利类型", "invention, utility or design", required=True, enum=PATENT_TYPES),
        C("pct", "boolean", "是否PCT", "filed under the PCT", default="false"),
    ),
    primary_key=("patent_id",),
    foreign_keys=(FK(("applicant_uscc",), "firms", ("uscc",),
                     when="applicant_region_code LIKE '32%'"),),
    rules=(RowRule("grant_after_application", "grant_date >= application_date",
                   ("grant_date", "application_date"),
                   "grant date before application date", "授权日早于申请日"),),
)

TRADEMARKS = Table(
    "trademarks", "国际商标", "fact",
    grain="one international trademark registration",
    description="International trademark registrations (Madrid or foreign national offices).",
    columns=(
        C("registration_id", "text", "注册号", "registration number", required=True, max_length=40),
        _uscc("owner_uscc", "持有人信用代码", "owning firm"),
        C("mark", "text", "商标", "the mark", max_length=NAME_LEN),
        C("system", "text", "注册途径", "madrid or foreign_national", required=True, enum=TRADEMARK_SYSTEMS),
        C("registration_date", "date", "注册日", "registration date", required=True, not_future=True),
        C("designated_countries", "text", "指定国家", "designated countries (ISO alpha-3, ;-separated)",
          codelist="country", multi=True),
        C("nice_classes", "text", "尼斯分类", "Nice classes (;-separated)", pattern=r"[0-9]{1,2}(;[0-9]{1,2})*"),
    ),
    primary_key=("registration_id",),
    foreign_keys=(FK(("owner_uscc",), "firms", ("uscc",)),),
)

REGIONAL_EMPLOYMENT = Table(
    "regional_employment", "地区行业就业", "fact",
    grain="one region x industry-or-cluster x year",
    description="Aggregated statistics where firm data are not available.",
    columns=(
        C("region_code", "text", "行政区划代码", "region", required=True, codelist="region"),
        C("classification", "text", "分类", "industry (GB/T 4754) or cluster", required=True,
          enum=CLASSIFICATIONS),
        C("sector_code", "text", "行业或集群代码", "industry code or cluster id", required=True, max_length=40),
        C("year", "integer", "年份", "calendar year", required=True, **YEAR),
        C("employment", "double", "从业人员", "employment", unit="persons", required=True, min=0),
        C("establishments", "integer", "单位数", "number of establishments", min=0),
        _money("payroll_yuan", "工资总额", "total payroll"),
        _money("output_value_yuan", "工业总产值", "gross output value"),
        C("traded", "boolean", "是否可贸易集群", "traded (not local) sector", default="true"),
    ),
    primary_key=("region_code", "classification", "sector_code", "year"),
    foreign_keys=(
        FK(("sector_code",), "industries", ("industry_code",), when="classification = 'industry'"),
        FK(("sector_code",), "clusters", ("cluster_id",), when="classification = 'cluster'"),
    ),
)

ORGANIZATIONS = Table(
    "organizations", "集群促进机构", "fact",
    grain="one cluster promotion organisation",
    description="Cluster promotion organisations (集群促进机构).",
    columns=(
        C("organization_id", "text", "机构编号", "identifier", required=True, max_length=40),
        C("name", "text", "机构名称", "name", required=True, max_length=NAME_LEN),
        _uscc("uscc", "统一社会信用代码", "registration code", required=False),
        C("cluster_id", "text", "集群编号", "cluster served", required=True, codelist="cluster"),
        C("region_code", "text", "所在地区", "seat", required=True, codelist="region"),
        C("legal_form", "text", "组织形式", "association, alliance, company, institute, other", enum=ORG_FORMS),
        C("founded_on", "date", "成立日期", "date founded", not_future=True),
    ),
    primary_key=("organization_id",),
)

ORGANIZATION_YEARS = Table(
    "organization_years", "促进机构年度", "fact",
    grain="one organisation in one year",
    description="Annual activity of a cluster promotion organisation.",
    columns=(
        C("organization_id", "text", "机构编号", "organisation", required=True, codelist="organization"),
        C("year", "integer", "年份", "calendar year", required=True, **YEAR),
        C("member_firms", "integer", "会员企业数", "member firms", min=0),
        C("staff", "integer", "专职人员", "full-time staff", min=0),
        _money("budget_yuan", "经费", "annual budget"),
        C("services", "integer", "服务次数", "services delivered", min=0),
        C("events", "integer", "活动次数", "events held", min=0),
        C("joint_projects", "integer", "协同创新项目", "joint innovation projects coordinated", min=0),
        C("standards", "integer", "标准制定数", "standards led or co-drafted", min=0),
        C("satisfaction", "double", "会员满意度", "member satisfaction score 0-100", min=0, max=100),
    ),
    primary_key=("organization_id", "year"),
    rules=(RowRule("year_not_future", "year <= year(current_date)", ("year",),
                   "year lies in the future", "年份晚于当前"),),
)

POLICIES = Table(
    "policies", "政策", "fact",
    grain="one policy document",
    description="Policy registry: who issued what instrument for which clusters.",
    columns=(
        C("policy_id", "text", "政策编号", "identifier (e.g. document number)", required=True, max_length=80),
        C("title", "text", "政策名称", "title", required=True, max_length=500),
        C("department", "text", "发文部门", "issuing department", required=True, max_length=200),
        C("level", "text", "层级", "national, province, city, county", required=True, enum=POLICY_LEVELS),
        C("region_code", "text", "地区", "issuing government's region", required=True, codelist="region"),
        C("target_clusters", "text", "支持集群", "cluster ids separated by ;", codelist="cluster", multi=True),
        C("instrument", "text", "政策工具", "instrument type", required=True, enum=INSTRUMENTS),
        C("issued_on", "date", "发布日期", "date issued", required=True, not_future=True),
        C("effective_from", "date", "生效日期", "start of validity"),
        C("effective_to", "date", "失效日期", "end of validity"),
        _money("budget_yuan", "资金规模", "funds committed"),
    ),
    primary_key=("policy_id",),
    rules=(RowRule("validity_ordered", "effective_to >= effective_from", ("effective_from", "effective_to"),
                   "validity ends before it starts", "失效日期早于生效日期"),),
)

TALENT_MOVES = Table(
    "talent_moves", "人才流动", "fact",
    grain="one job move of one person",
    description="Moves of (pseudonymised) people between firms, for the talent-flow network.",
    columns=(
        C("move_id", "text", "流动编号", "identifier", required=True, max_length=64),
        C("person_hash", "text", "人员标识", "salted hash of the person (no names)", required=True,
          pattern=r"[0-9a-f]{16,64}"),
        _uscc("from_uscc", "原单位信用代码", "firm left", required=False),
        _uscc("to_uscc", "新单位信用代码", "firm joined", required=False),
        C("move_date", "date", "流动日期", "date of the move", required=True, not_future=True),
        C("role_level", "text", "岗位层级", "executive, senior_engineer, engineer, technician, other",
          enum=ROLE_LEVELS),
    ),
    primary_key=("move_id",),
    rules=(
        RowRule("distinct_firms", "from_uscc IS NULL OR to_uscc IS NULL OR from_uscc <> to_uscc",
                ("from_uscc", "to_uscc"), "a move must change firm", "流动前后为同一单位"),
        RowRule("has_a_firm", "from_uscc IS NOT NULL OR to_uscc IS NOT NULL", ("from_uscc", "to_uscc"),
                "give the firm left or the firm joined", "须填写原单位或新单位"),
    ),
)

# --------------------------------------------------------------------------- meta
LOADS = Table(
    "loads", "数据加载记录", "meta",
    grain="one successful load of one file into one table",
    description="Provenance of every load: file, checksum, counts, vintage and user.",
    columns=(
        C("load_id", "bigint", "加载编号", "sequential id", required=True),
        C("source_file", "text", "源文件", "path of the loaded file", required=True),
        C("sha256", "text", "SHA-256", "checksum of the file's bytes", required=True),
        C("table_name", "text", "目标表", "table loaded", required=True),
        C("file_format", "text", "文件格式", "csv, xlsx or parquet", required=True),
        C("encoding", "text", "编码", "detected text encoding"),
        C("mode", "text", "模式", "upsert or insert", required=True),
        C("rows_in_file", "bigint", "文件行数", "data rows in the file", required=True),
        C("rows_inserted", "bigint", "新增行数", "new keys", required=True),
        C("rows_updated", "bigint", "更新行数", "existing keys with changed values", required=True),
        C("rows_unchanged", "bigint", "未变行数", "existing keys with identical values", required=True),
        C("rows_rejected", "bigint", "拒绝行数", "rows sent to quarantine", required=True),
        C("loaded_at", "timestamp", "加载时间", "UTC time of the commit", required=True),
        C("vintage", "text", "数据版本", "data vintage the user declared (e.g. 2023 yearbook)"),
        C("user_name", "text", "用户", "who loaded"),
        C("jiqun_version", "text", "程序版本", "jiqun version", required=True),
    ),
    primary_key=("load_id",),
)

QUARANTINE = Table(
    "quarantine", "隔离记录", "meta",
    grain="one rejected row of one load",
    description="Rows refused by a --quarantine load, with their reasons.",
    columns=(
        C("load_id", "bigint", "加载编号", "load", required=True),
        C("table_name", "text", "目标表", "table", required=True),
        C("source_file", "text", "源文件", "file", required=True),
        C("row_number", "bigint", "行号", "row in the file (header = 1)", required=True),
        C("record", "text", "原始记录", "the row as JSON", required=True),
        C("rules", "text", "违反规则", "rules broken, ;-separated", required=True),
        C("messages", "text", "错误说明", "messages, ;-separated", required=True),
    ),
    primary_key=("load_id", "row_number"),
)

# --------------------------------------------------------------------------- results
INDICATOR_RESULTS = Table(
    "indicator_results", "监测指标结果", "result",
    grain="one indicator for one cluster in one region and year",
    description="Long results table of the monitoring indicators, with the firm count and the largest "
    "firm's share behind every value (for disclosure control) and the data vintage.",
    columns=(
        C("cluster_id", "text", "集群编号", "cluster ('all' for whole-economy values)", required=True),
        C("region_code", "text", "地区代码", "GB/T 2260 code: province, city or county", required=True),
        C("year", "integer", "年份", "calendar year", required=True, **YEAR),
        C("indicator", "text", "指标", "indicator id from the indicator catalogue", required=True),
        C("value", "double", "数值", "indicator value in the indicator's unit"),
        C("n_firms", "bigint", "企业数", "firms behind the value", min=0),
        C("top_firm_share", "double", "最大企业占比", "largest firm's share of the value's base", min=0, max=1),
        C("vintage", "text", "数据版本", "data vintage (loads behind the value)"),
        C("computed_at", "timestamp", "计算时间", "UTC time of the computation", required=True),
    ),
    primary_key=("cluster_id", "region_code", "year", "indicator"),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        REGIONS, INDUSTRIES, COUNTRIES, HS_CHAPTERS, IPC_FIELDS, CLUSTERS, CLUSTER_INDUSTRIES,
        CLUSTER_REGIONS, CHAIN_NODES, CHAIN_NODE_PRODUCTS, CHAIN_NODE_TECHNOLOGIES, CHAIN_LINKS,
        FIRMS, FIRM_YEARS, FIRM_CHAIN_NODES, TRANSACTIONS, TRADE, PATENTS, TRADEMARKS,
        REGIONAL_EMPLOYMENT, ORGANIZATIONS, ORGANIZATION_YEARS, POLICIES, TALENT_MOVES,
        LOADS, QUARANTINE, INDICATOR_RESULTS,
    )
}

#: Tables a user loads with ``jiqun ingest`` (catalogue tables can be edited too).
LOADABLE = [t.name for t in TABLES.values() if t.layer in ("catalogue", "fact")]
