"""Declarations of the fact tables users load."""

from __future__ import annotations

from .model import Column as C
from .model import ForeignKey as FK
from .model import RowRule, Table
from .vocab import (CLASSIFICATIONS, FLOWS, INSTRUMENTS, MARKET_SCOPES, NAME_LEN, ORG_FORMS, OWNERSHIP, PATENT_TYPES,
                    POLICY_LEVELS, POLICY_THEMES, REPORTER_TYPES, ROLE_LEVELS, SRDI, TARGET_GROUPS, TRADEMARK_SYSTEMS, YEAR, _money, _uscc)

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
        C("region_code", "text", "行政区划代码", "county-level GB/T 2260 code or development zone (code or name)",
          required=True, codelist="region", aliases=("所在地区代码", "区划代码")),
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

FIRM_MARKETS = Table(
    "firm_markets", "企业市场地位", "fact",
    grain="one firm's main product in one market in one year",
    description="Market share and rank of a firm's main products (industry associations, MIIT applications, "
    "market studies): what the single-champion, little-giant and hidden-champion criteria need.",
    columns=(
        _uscc("uscc", "统一社会信用代码", "firm"),
        C("year", "integer", "年份", "calendar year", required=True, **YEAR),
        C("product", "text", "细分产品", "niche product (统计用产品分类 code or name)", required=True,
          max_length=200, aliases=("主导产品", "产品")),
        C("scope", "text", "市场范围", "world, continent, national or province", required=True, enum=MARKET_SCOPES),
        C("market_share", "double", "市场占有率", "share of the market, 0–1", min=0, max=1,
          aliases=("占有率",)),
        C("market_rank", "integer", "市场排名", "rank in the market (1 = first)", min=1, aliases=("排名", "名次")),
        C("source", "text", "数据来源", "where the figure comes from", max_length=500),
    ),
    primary_key=("uscc", "year", "product", "scope"),
    foreign_keys=(FK(("uscc",), "firms", ("uscc",)),),
    rules=(RowRule("share_or_rank", "market_share IS NOT NULL OR market_rank IS NOT NULL",
                   ("market_share", "market_rank"), "give a market share or a rank", "须填写市场占有率或排名"),),
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
        # Assigned by jiqun at load (not in files): the joins and group-bys over tens of millions of
        # flows then compare 8-byte integers instead of 18-character codes.
        C("seller_key", "bigint", "卖方内部键", "jiqun's integer key of seller_uscc (firm_keys), assigned at load",
          key_of="seller_uscc"),
        C("buyer_key", "bigint", "买方内部键", "jiqun's integer key of buyer_uscc (firm_keys), assigned at load",
          key_of="buyer_uscc"),
    ),
    primary_key=("transaction_id",),
    # Seller-years (all sales per seller and year) and the local suppliers of driving power group tens
    # of millions of flows by seller and year: stored in that order, each group's rows are adjacent.
    sort_by=("year", "seller_key"),
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
        C("target_nodes", "text", "支持环节", "chain segments (node ids) separated by ;; empty: the whole cluster",
          codelist="chain_node", multi=True, aliases=("产业链环节", "支持产业链环节")),
        C("instrument", "text", "政策工具", "instrument type (OECD STIP Compass; docs/actors.md)", required=True,
          enum=INSTRUMENTS),
        C("target_group", "text", "支持对象", "firms of all sizes, SMEs, leading firms, start-ups, research, talent, "
          "promotion organisations, public bodies", enum=TARGET_GROUPS, aliases=("政策对象",)),
        C("theme", "text", "政策主题", "chain, chokepoint, innovation, firm growth, talent, openness, finance, land, "
          "digital and green, organisations, general", enum=POLICY_THEMES),
        C("issued_on", "date", "发布日期", "date issued", required=True, not_future=True),
        C("effective_from", "date", "生效日期", "start of validity"),
        C("effective_to", "date", "失效日期", "end of validity"),
        _money("budget_yuan", "资金规模", "funds committed"),
        C("text", "text", "政策摘要", "the policy's text or summary (for keyword suggestions)", max_length=10000,
          aliases=("政策内容", "政策原文", "主要内容")),
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
