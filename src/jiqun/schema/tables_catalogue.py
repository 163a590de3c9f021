"""Declarations of the reference catalogue tables (shipped, user-editable)."""

from __future__ import annotations

from .model import Column as C
from .model import ForeignKey as FK
from .model import RowRule, Table
from .vocab import CLUSTER_ROLES, INDUSTRY_LEVELS, NAME_LEN, REGION_LEVELS, SEGMENTS

# --------------------------------------------------------------------------- catalogue
REGIONS = Table(
    "regions", "行政区划", "catalogue",
    grain="one administrative division (GB/T 2260)",
    description="China as a whole (code 100000, the reference area; a common convention, not part of "
    "GB/T 2260), its province-level divisions, Jiangsu's 13 prefecture cities, its county-level divisions "
    "and the development zones that statistics report separately (level `zone`: NBS statistical codes such "
    "as 320571 苏州工业园区, or jiqun codes ending in 9x; see catalogue/data/SOURCES.md). A zone's code "
    "starts with its city's 4 digits, so its firms roll up into that city and the province exactly once.",
    columns=(
        C("region_code", "text", "行政区划代码", "6-digit GB/T 2260 code", required=True,
          pattern=r"[1-9][0-9]{5}", aliases=("code", "区划代码")),
        C("name_zh", "text", "中文名称", "Chinese name", required=True, max_length=NAME_LEN),
        C("name_en", "text", "英文名称", "English name", required=True, max_length=NAME_LEN),
        C("level", "text", "级别", "nation, province, prefecture, county or zone", required=True,
          enum=REGION_LEVELS),
        C("parent_code", "text", "上级代码", "code of the enclosing division", pattern=r"[1-9][0-9]{5}"),
    ),
    primary_key=("region_code",),
    foreign_keys=(FK(("parent_code",), "regions", ("region_code",)),),
)

INDUSTRIES = Table(
    "industries", "国民经济行业", "catalogue",
    grain="one GB/T 4754-2017 section, division, group or class",
    description="Industry classification GB/T 4754-2017, all four levels: 20 sections, 97 divisions, "
    "473 groups and 1,381 classes (see catalogue/data/SOURCES.md). English names only where we have them.",
    columns=(
        C("industry_code", "text", "行业代码", "section letter or 2/3/4-digit code", required=True,
          pattern=r"[A-T]|[0-9]{2,4}", aliases=("code",)),
        C("level", "text", "级别", "section, division, group or class", required=True, enum=INDUSTRY_LEVELS),
        C("name_zh", "text", "中文名称", "Chinese name", required=True, max_length=NAME_LEN),
        C("name_en", "text", "英文名称", "English name (empty where no translation is available)",
          max_length=NAME_LEN),
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
