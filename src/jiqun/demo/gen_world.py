"""The demo's world: the shipped catalogue, the calibration facts and the assumptions.

Clusters, their member industries, core/collaboration cities, chain nodes, links,
HS products and IPC classes are read from the catalogue files (so an edited
catalogue gives a matching demo). Magnitudes come from ``data/facts.csv`` (published
facts with their sources). What no fact fixes is an explicit assumption in
:data:`PROFILES`, :data:`LEADERS` and :data:`COMPONENTS`, matched to catalogue
clusters and nodes by keywords in their Chinese names; ``docs/demo.md`` lists them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .. import catalogue
from ..schema.vocab import HOME_PROVINCE_CODE

#: Per-cluster assumptions, matched by a keyword of the cluster's Chinese name.
#: size: cluster revenue 2022 at province scale, 亿元 (order of magnitude; sums to about the
#: published 11 trillion of the clusters); growth: nominal trend per year; rd: median R&D/revenue
#: of R&D performers; export: multiplier of the export propensity; prod: revenue per employee
#: (yuan); words: name descriptors; nice: Nice classes of its marks; shocks: year effects.
PROFILES = {
    "电力": dict(size=14000, growth=0.12, rd=0.035, export=1.0, prod=1.3e6, words="电气|能源科技|电力设备|新能源",
               nice="9;7"),
    "工程机械": dict(size=3000, growth=0.07, rd=0.03, export=1.1, prod=1.5e6, words="重工|机械|工程装备|液压",
                 nice="7;12", shocks={2022: -0.15, 2023: -0.08}),
    "物联网": dict(size=5000, growth=0.12, rd=0.05, export=0.9, prod=1.1e6, words="物联科技|智能传感|智联科技|电子",
                nice="9;38;42"),
    "新材料": dict(size=9000, growth=0.08, rd=0.03, export=1.0, prod=1.6e6, words="新材料|纳米科技|碳材料|化工",
                nice="1;17;22"),
    "生物医药": dict(size=7000, growth=0.09, rd=0.07, export=0.7, prod=1.4e6, words="药业|生物科技|医疗器械|医药",
                 nice="5;10;44"),
    "纺织": dict(size=10000, growth=0.02, rd=0.012, export=1.4, prod=0.9e6, words="纺织|化纤|服饰|印染",
               nice="23;24;25"),
    "集成电路": dict(size=4000, growth=0.13, rd=0.08, export=1.2, prod=1.6e6, words="微电子|半导体|芯片科技|集成电路",
                 nice="9;42"),
    "船舶": dict(size=3500, growth=0.03, rd=0.02, export=2.2, prod=1.4e6, words="船舶|海洋工程|重工|船业",
               nice="12;7"),
    "高端装备": dict(size=12000, growth=0.08, rd=0.035, export=1.0, prod=1.2e6, words="精密机械|智能装备|数控|机器人",
                 nice="7;9"),
    "节能环保": dict(size=6000, growth=0.06, rd=0.025, export=0.8, prod=1.1e6, words="环保科技|节能|环境工程|水处理",
                 nice="11;7;40"),
    "信息技术": dict(size=15000, growth=0.09, rd=0.04, export=1.6, prod=1.8e6, words="电子|信息技术|通信|光电",
                 nice="9;42"),
    "汽车": dict(size=12000, growth=0.08, rd=0.03, export=0.9, prod=1.5e6, words="汽车部件|汽车|动力|车业",
               nice="12;7", shocks={2023: 0.05}),
    "显示": dict(size=3000, growth=0.07, rd=0.04, export=1.3, prod=1.7e6, words="光电|显示科技|电子材料|液晶",
               nice="9;11"),
    "软件": dict(size=8000, growth=0.11, rd=0.09, export=0.5, prod=0.8e6, words="软件|信息技术|数据科技|网络科技",
               nice="9;42"),
}
DEFAULT_PROFILE = dict(size=7000, growth=0.07, rd=0.03, export=1.0, prod=1.3e6, words="科技|实业|机械|制造",
                       nice="7;9")
#: Firms outside every cluster: the rest of manufacturing.
OTHER_PROFILE = dict(size=0, growth=0.04, rd=0.012, export=0.8, prod=1.2e6, words="实业|制造|机械|工贸",
                     nice="7")
#: Common year effects (2020 pandemic dip and 2021 rebound), log points.
YEAR_SHOCKS = {2020: -0.05, 2021: 0.04}

#: Leading firms of anchored cells (from the notes of the facts they are named in; the firms
#: themselves are synthetic). rank 1 = largest firm of the cluster in that city.
LEADERS = [
    # keyword, city, rank, ownership, is_branch, parent_country, parent_region, listed, share of cell
    ("电力", "320100", 1, "state", False, "CHN", "110000", True, "leader_share.new_power.320100"),
    ("工程机械", "320300", 1, "state", False, None, None, True, 0.30),
    ("工程机械", "320300", 2, "foreign", True, "USA", None, False, None),
    ("工程机械", "320300", 3, "foreign", True, "DEU", None, False, None),
    ("物联网", "320200", 1, "state", True, "CHN", "110000", True, None),
    ("物联网", "320200", 2, "foreign", True, "DEU", None, False, None),
    ("纺织", "320500", 1, "private", False, None, None, True, 0.25),
    ("纺织", "320200", 1, "private", False, None, None, True, 0.25),
    ("船舶", "321200", 1, "private", False, None, None, True, 0.20),
    ("集成电路", "320200", 1, "state", True, "CHN", "310000", True, None),
    ("生物医药", "321200", 1, "private", False, None, None, False, 0.15),
    ("生物医药", "320700", 1, "private", False, None, None, True, 0.15),
    ("生物医药", "320700", 2, "hmt", False, "HKG", None, True, None),
    ("生物医药", "320500", 1, "private", False, None, None, True, None),
    ("生物医药", "320500", 2, "foreign", True, "FRA", None, False, None),
    ("生物医药", "320500", 3, "foreign", True, "USA", None, False, None),
    ("新材料", "320500", 1, "private", False, None, None, True, None),
    ("新材料", "320400", 1, "private", False, None, None, True, None),
]

class Component(NamedTuple):
    """What the demo assumes for a chain segment's supply and technology base.

    share: import share of the segment's purchases in ``share_year`` (a number, or the key of a
    ``facts.csv`` row; facts stated as a domestic share (国产) are turned into an import share);
    countries: origin weights of the imports; trend: change of the import share per year (negative:
    domestic substitution, so earlier years import more; applied around ``share_year``); jiangsu:
    multiplier of the patent propensity of the segment's Jiangsu firms; nation: weight of the segment in
    the filings of applicants from other provinces; foreign: weight in foreign applicants' filings.
    """

    share: float | str
    countries: dict
    trend: float = 0.0
    jiangsu: float = 1.0
    nation: float = 1.0
    foreign: float = 0.5
    share_year: int | None = None


#: Key-component segments (卡脖子环节), matched by keywords of the node's Chinese and English names, first
#: match wins. The intended class of each under the shipped rules (chokepoints/data/classes.yaml) is in
#: docs/demo.md, "Chokepoint components 卡脖子环节"; shares come from the facts named, the origins,
#: trends and patent weights are assumptions (ASSUMPTION where no fact is cited).
COMPONENTS = [
    # EDA and industrial software: 国产化率 11.5% (2020), Synopsys/Cadence/Siemens; no substitution trend,
    # almost no Jiangsu patents -> fully dependent.
    (("EDA",), Component("import_dependence.eda", {"USA": 0.85, "DEU": 0.15}, 0.0, 0.03, 0.4, 4.0)),
    # Wafers and photoresists: JSR/TOK/Shin-Etsu; Jiangsu makes some (Suzhou) -> lagging (ASSUMPTION).
    (("光刻胶", "硅片"), Component(0.85, {"JPN": 0.6, "USA": 0.15, "KOR": 0.15, "DEU": 0.1}, -0.01, 1.0, 1.0, 3.0)),
    # Lithography and metrology: 7nm lithography 100% imported (ASML); capped at 95% -> fully dependent.
    (("光刻",), Component("import_dependence.lithography", {"NLD": 0.7, "USA": 0.2, "JPN": 0.1}, 0.0, 0.05, 0.5, 4.0)),
    # OLED evaporation equipment: domestic 17.2% of semiconductor equipment (2020); Canon Tokki -> fully dependent.
    (("蒸镀",), Component("import_dependence.semi_equipment", {"JPN": 0.75, "KOR": 0.15, "USA": 0.1}, 0.0, 0.05, 0.5, 4.0)),
    # CNC systems: >90% foreign in high-end CNC machine tools (2014), falling 1.5 points a year -> lagging.
    (("数控系统",), Component("import_dependence.cnc", {"JPN": 0.55, "DEU": 0.45}, -0.015, 1.5, 1.0, 3.0, 2014)),
    # High-end CNC machine tools: the province's headline, 50% imported (issue 16; ASSUMPTION 2023) -> lagging.
    (("数控机床",), Component(0.50, {"DEU": 0.4, "JPN": 0.4, "CHE": 0.2}, -0.01, 1.2, 1.0, 2.0)),
    # Servo motors: domestic brands ~20% (2016), falling 1 point a year -> ~73% in 2023 (headline 75%) -> lagging.
    (("伺服",), Component("import_dependence.servo", {"JPN": 0.7, "DEU": 0.2, "USA": 0.1}, -0.01, 1.5, 1.0, 3.0, 2016)),
    # Precision reducers: Nabtesco + Harmonic Drive 75% of the world (2016); Suzhou makes harmonic reducers,
    # so imports fall slowly and Jiangsu patents some -> lagging.
    (("减速器",), Component("import_dependence.reducer", {"JPN": 1.0}, -0.01, 1.5, 1.0, 3.0, 2016)),
    # Test and measuring instruments: the province's headline, 80% imported -> lagging.
    (("仪器", "测试", "监测"), Component(0.80, {"USA": 0.5, "DEU": 0.3, "JPN": 0.2}, -0.01, 1.5, 1.0, 3.0)),
    # MEMS sensor chips: Wuxi's MEMS base patents strongly while imports fall -> R&D base.
    (("MEMS",), Component(0.72, {"USA": 0.35, "DEU": 0.25, "JPN": 0.2, "NLD": 0.2}, -0.02, 5.0, 1.0, 1.5)),
    # Chips (processors, IGBT, automotive, optical): ~80% imported, slow substitution -> lagging.
    (("芯片", "处理器", "IGBT", "半导体"), Component(0.80, {"USA": 0.35, "KOR": 0.2, "JPN": 0.2, "DEU": 0.15, "NLD": 0.1},
                                            -0.01, 1.5, 1.0, 3.0)),
    # High-end hydraulics: Jiangsu makers (Changzhou, Xuzhou) patent strongly, imports falling -> R&D base.
    (("液压",), Component(0.55, {"JPN": 0.4, "DEU": 0.4, "USA": 0.2}, -0.02, 5.0, 1.0, 1.5)),
    # Construction-machinery engines: domestic engines strong, high end from Cummins/Deutz -> R&D base.
    (("发动机",), Component(0.45, {"USA": 0.45, "DEU": 0.3, "JPN": 0.25}, -0.015, 5.0, 1.0, 1.5)),
    # Controllers and transmissions of construction machinery -> R&D base.
    (("电控",), Component(0.55, {"JPN": 0.4, "DEU": 0.4, "USA": 0.2}, -0.02, 5.0, 1.0, 1.5)),
    # Marine low-speed diesel engines (WinGD, MAN licences) -> lagging.
    (("柴油机",), Component(0.60, {"CHE": 0.35, "KOR": 0.3, "JPN": 0.25, "DEU": 0.1}, -0.01, 1.5, 1.0, 3.0)),
]
DEFAULT_KEY_IMPORT = Component(0.70, {"JPN": 0.3, "DEU": 0.3, "USA": 0.25, "KOR": 0.15}, -0.01, 1.0, 1.0, 2.0)
NON_KEY_IMPORT = Component(0.06, {"JPN": 0.25, "DEU": 0.25, "USA": 0.2, "KOR": 0.2, "ITA": 0.1})
#: The demo's last year: shares stated without a year are for it.
LATEST_YEAR = 2023

#: National advanced-manufacturing clusters won by Jiangsu (MIIT competition rounds 1-3; fact
#: ``national_clusters``: ten by 2022, listed in its note): profile keyword and the winning cities.
NATIONAL_CLUSTERS = [
    ("物联网", ("320200",)),                                  # 无锡市物联网集群
    ("软件", ("320100",)),                                    # 南京市软件和信息服务集群
    ("电力", ("320100",)),                                    # 南京市新型电力（智能电网）装备集群
    ("新材料", ("320500", "320400")),                         # 苏州市纳米新材料, 常州市新型碳材料
    ("工程机械", ("320300",)),                                # 徐州市工程机械集群
    ("船舶", ("320600", "321200", "321000")),                 # 南通、泰州、扬州海工装备和高技术船舶
    ("生物医药", ("320500", "321200", "320700", "320200")),   # 苏州; 泰州、连云港、无锡生物医药
    ("纺织", ("320500", "320200", "320600")),                 # 苏州、无锡、南通高端纺织
]
#: What winning a national competition means for the firms of a winning city x cluster cell
#: (ASSUMPTIONS: the competition scores innovation, leading and specialised firms and the local
#: chain; no fact gives these per cluster). rd_performers: added probability of doing R&D;
#: rd_intensity: multiplier of the R&D intensity; srdi: multiplier of the weight for 专精特新 and
#: single champions (fact ``srdi_concentration.320500``: Suzhou won over a quarter of the
#: province's new little giants in 2022 with about a fifth of its secondary value added);
#: local_sourcing: share of domestic purchases bought in the same city (others: 45%, gen_flows).
NATIONAL_LIFT = {"rd_performers": 0.25, "rd_intensity": 1.6, "srdi": 8.0, "local_sourcing": 0.70, "exporters": 1.5,
                 "trademarks": 3.0}

#: Share of all firms' revenue in 规上 firms under the demo's size distribution (measured on a
#: large sample of gen_firms' size draw; docs/demo.md).
GS_REVENUE_SHARE = 0.86

#: Role multipliers of a cluster's cities when spreading its revenue (assumption).
ROLE_WEIGHT = {"core": 6.0, "collaboration": 2.0, None: 0.35}


def facts_path() -> Path:
    return Path(str(resources.files(__package__) / "data" / "facts.csv"))


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def load_facts() -> dict[str, dict]:
    """The calibration facts by key (value converted to float where numeric)."""
    out = {}
    for row in read_csv(facts_path()):
        try:
            row["number"] = float(row["value"])
        except ValueError:
            row["number"] = None
        out[row["key"]] = row
    return out


@dataclass
class World:
    """Catalogue and calibration, as arrays indexed by city, cluster and node."""

    cities: list[str]                    # prefecture codes, sorted
    city_names: list[str]
    city_va: np.ndarray                  # secondary-industry value added 2022, 亿元
    counties: list[list[str]]            # county codes per city
    county_names: dict[str, str]
    provinces: list[str]                 # other provinces' codes (not the home province)
    clusters: list[str]
    cluster_names: list[str]
    profiles: list[dict]
    cluster_industries: list[list[str]]
    other_industries: list[str]
    roles: dict[tuple[int, int], str]    # (city, cluster) -> core/collaboration
    national: np.ndarray                 # (n_cities, n_clusters) bool: won a national competition
    nodes: list[str]
    node_cluster: np.ndarray
    node_segment: np.ndarray             # 0 upstream, 1 midstream, 2 downstream
    node_key: np.ndarray
    node_names: list[str]
    node_products: list[list[str]]
    node_techs: list[list[str]]
    links: np.ndarray                    # (n_links, 2) from -> to node index
    node_import_share: np.ndarray        # in LATEST_YEAR
    node_import_countries: list[tuple[list[str], np.ndarray]]
    node_import_trend: np.ndarray        # change of the import share per year
    node_patent_weight: dict[str, np.ndarray]   # jiangsu / nation / foreign weights per node (Component)
    facts: dict[str, dict] = field(default_factory=dict)

    def fact(self, key: str) -> float:
        return self.facts[key]["number"]

    def import_share_in(self, year: int) -> np.ndarray:
        """Each node's import share in ``year`` (the trend applied back from the latest year)."""
        return np.clip(self.node_import_share + self.node_import_trend * (int(year) - LATEST_YEAR), 0.0, 0.95)

    def profile_of(self, cluster: int) -> dict:
        return self.profiles[cluster] if cluster >= 0 else OTHER_PROFILE


def _profile(name_zh: str) -> dict:
    for keyword, prof in PROFILES.items():
        if keyword in name_zh:
            return {**DEFAULT_PROFILE, **prof, "keyword": keyword}
    return {**DEFAULT_PROFILE, "keyword": None}


def load_world(catalogue_dir: Path | None = None) -> World:
    """Read the catalogue (default: the shipped one) and the calibration facts."""
    path = (lambda name: Path(catalogue_dir) / name) if catalogue_dir else catalogue.data_path
    facts = load_facts()
    regions = read_csv(path("regions.csv"))
    cities = sorted(r["region_code"] for r in regions if r["level"] == "prefecture"
                    and r["region_code"].startswith("32"))
    names = {r["region_code"]: r["name_zh"] for r in regions}
    counties = [sorted(r["region_code"] for r in regions if r["level"] == "county" and r["parent_code"] == c)
                or [c] for c in cities]
    provinces = sorted(r["region_code"] for r in regions if r["level"] == "province" and r["region_code"] != HOME_PROVINCE_CODE)
    city_va = np.array([facts.get(f"city_secondary_va.{code}", {"number": None})["number"] or 2000.0
                        for code in cities])

    cl_rows = read_csv(path("clusters.csv"))
    clusters = [r["cluster_id"] for r in cl_rows]
    cidx = {c: i for i, c in enumerate(clusters)}
    members = [[] for _ in clusters]
    for row in read_csv(path("cluster_industries.csv")):
        if row["cluster_id"] in cidx:
            members[cidx[row["cluster_id"]]].append(row["industry_code"])
    used = {code for codes in members for code in codes}
    industries = read_csv(path("industries.csv"))
    # Rest of manufacturing: codes of divisions 13-43 not related (prefix either way) to a member.
    other = [r["industry_code"] for r in industries if r["industry_code"][:2].isdigit()
             and 13 <= int(r["industry_code"][:2]) <= 43
             and not any(r["industry_code"].startswith(u) or u.startswith(r["industry_code"]) for u in used)]
    # Non-cluster firms draw from a fixed list (the industries the catalogue held before it had all
    # GB/T 4754-2017 classes), so that the full class list leaves the demo's numbers unchanged.
    frozen = [r["industry_code"] for r in read_csv(Path(str(resources.files(__package__) / "data"
                                                             / "other_industries.csv")))]
    other = [code for code in frozen if code in set(other)] or other
    if not other:
        other = sorted(used)[:1]
    city_idx = {c: i for i, c in enumerate(cities)}
    roles = {(city_idx[r["region_code"]], cidx[r["cluster_id"]]): r["role"]
             for r in read_csv(path("cluster_regions.csv"))
             if r["region_code"] in city_idx and r["cluster_id"] in cidx}

    node_rows = [r for r in read_csv(path("chain_nodes.csv")) if r["cluster_id"] in cidx]
    nodes = [r["node_id"] for r in node_rows]
    nidx = {n: i for i, n in enumerate(nodes)}
    seg = {"upstream": 0, "midstream": 1, "downstream": 2}
    products = [[] for _ in nodes]
    for row in read_csv(path("chain_node_products.csv")):
        if row["node_id"] in nidx:
            products[nidx[row["node_id"]]].append(row["hs6"].zfill(6))
    techs = [[] for _ in nodes]
    for row in read_csv(path("chain_node_technologies.csv")):
        if row["node_id"] in nidx:
            techs[nidx[row["node_id"]]].append(row["ipc"].strip())
    links = np.array([(nidx[r["from_node_id"]], nidx[r["to_node_id"]]) for r in read_csv(path("chain_links.csv"))
                      if r["from_node_id"] in nidx and r["to_node_id"] in nidx], dtype=np.int64).reshape(-1, 2)
    is_key = np.array([r["is_key_component"].strip().lower() in ("true", "1", "是") for r in node_rows])
    share, countries, profiles = [], [], []
    for row, key in zip(node_rows, is_key):
        profile = _component(row["name_zh"] + " " + row["name_en"], key)
        share.append(_latest_share(profile, facts))
        countries.append((list(profile.countries),
                          np.array(list(profile.countries.values())) / sum(profile.countries.values())))
        profiles.append(profile)
    return World(
        cities=cities, city_names=[names[c] for c in cities], city_va=city_va, counties=counties,
        county_names=names, provinces=provinces, clusters=clusters,
        cluster_names=[r["name_zh"] for r in cl_rows], profiles=[_profile(r["name_zh"]) for r in cl_rows],
        cluster_industries=[m or other[:1] for m in members], other_industries=other, roles=roles,
        national=_national_cells(cities, [_profile(r["name_zh"]) for r in cl_rows]), nodes=nodes,
        node_cluster=np.array([cidx[r["cluster_id"]] for r in node_rows], dtype=np.int64),
        node_segment=np.array([seg.get(r["segment"].strip().lower(), 1) for r in node_rows], dtype=np.int64),
        node_key=is_key, node_names=[r["name_zh"] for r in node_rows], node_products=products, node_techs=techs,
        links=links, node_import_share=np.array(share), node_import_countries=countries, facts=facts,
        node_import_trend=np.array([profile.trend for profile in profiles]),
        node_patent_weight={side: np.array([getattr(profile, side) for profile in profiles])
                            for side in ("jiangsu", "nation", "foreign")},
    )


def _national_cells(cities: list[str], profiles: list[dict]) -> np.ndarray:
    """(cities x clusters) True where a cluster won a national competition in that city."""
    out = np.zeros((len(cities), len(profiles)), dtype=bool)
    for keyword, winners in NATIONAL_CLUSTERS:
        for cluster, profile in enumerate(profiles):
            if profile["keyword"] == keyword:
                out[[cities.index(code) for code in winners if code in cities], cluster] = True
    return out


def _component(name: str, is_key: bool) -> Component:
    """The :data:`COMPONENTS` entry of a node (by keywords of its names), the default for other key nodes."""
    if not is_key:
        return NON_KEY_IMPORT
    for keywords, component in COMPONENTS:
        if any(keyword in name for keyword in keywords):
            return component
    return DEFAULT_KEY_IMPORT


def _latest_share(component: Component, facts: dict) -> float:
    """The import share in :data:`LATEST_YEAR`: the stated share (or fact) moved along the trend."""
    share, year = component.share, component.share_year
    if isinstance(share, str):
        fact = facts[share]
        value = fact["number"] / 100
        # Facts given as a domestic share are turned into an import share.
        share = 1 - value if "国产" in fact["indicator"] else value
        year = year or int(fact["year"])
    share = min(share, 0.95) + component.trend * (LATEST_YEAR - (year or LATEST_YEAR))
    return float(np.clip(share, 0.0, 0.95))


# --------------------------------------------------------------------------- calibration
def cell_targets(world: World) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """Revenue (yuan, 2022, province scale) and firm-count anchors per city x cluster.

    Returns
    -------
    revenue : array (n_cities, n_clusters + 1)
        All-firm revenue per cell; the last column is manufacturing outside the clusters.
    count_anchor : array (n_cities, n_clusters + 1)
        Published firm counts at province scale (NaN where none).
    city_total : array (n_cities,)
    notes : dict
        Which anchors were applied (for the README and tests).
    """
    n_cities, n_clusters = len(world.cities), len(world.clusters)
    gs_revenue = world.fact("province_revenue_gs") * 1e8
    # About 86% of all firms' revenue is in 规上 firms under the size distribution used
    # (gen_firms.SIZE_*, see docs): scale the all-firm total so that the 规上 part lands at the
    # published 16 trillion.
    total = gs_revenue / GS_REVENUE_SHARE
    cluster_share = min(world.fact("cluster_revenue_share") / world.fact("province_revenue_gs"), 0.9)
    city_total = total * world.city_va / world.city_va.sum()
    sizes = np.array([profile["size"] for profile in world.profiles], dtype=float)
    sizes = sizes / sizes.sum() * total * cluster_share
    weight = np.array([[ROLE_WEIGHT[world.roles.get((city, cluster))] * world.city_va[city]
                        for cluster in range(n_clusters)]
                       for city in range(n_cities)])
    revenue = weight / weight.sum(axis=0, keepdims=True) * sizes[None, :]
    counts = np.full((n_cities, n_clusters + 1), np.nan)
    notes = {}
    city_idx = {city: i for i, city in enumerate(world.cities)}
    for key, fact in world.facts.items():
        kind, _, rest = key.partition(".")
        if kind not in ("anchor_scale", "anchor_firms"):
            continue
        tag, _, city_part = rest.partition(".")
        clusters = [cluster for cluster, profile in enumerate(world.profiles)
                    if profile["keyword"] and _tag_matches(tag, profile["keyword"])]
        cities = [city_idx[city] for city in city_part.split("+") if city in city_idx]
        if not clusters or not cities:
            continue
        cluster = clusters[0]
        if kind == "anchor_scale":
            value = fact["number"] * 1e8 * (1 + world.profiles[cluster]["growth"]) ** (2022 - int(fact["year"]))
            split = revenue[cities, cluster] / revenue[cities, cluster].sum()
            revenue[cities, cluster] = value * split
        else:
            split = revenue[cities, cluster] / revenue[cities, cluster].sum()
            counts[cities, cluster] = fact["number"] * split
        notes[key] = (world.clusters[cluster], [world.cities[city] for city in cities], fact["number"], fact["unit"],
                      fact["year"])
    # Keep each city's total on its value-added share: where the clusters would take more than 80%
    # of the city, shrink its non-anchored cluster cells (anchors are published and stay).
    fixed = np.zeros_like(revenue, dtype=bool)
    for key in notes:
        if key.startswith("anchor_scale"):
            cluster = world.clusters.index(notes[key][0])
            fixed[[city_idx[city] for city in notes[key][1]], cluster] = True
    for city in range(n_cities):
        room = 0.8 * city_total[city] - revenue[city, fixed[city]].sum()
        free = revenue[city, ~fixed[city]].sum()
        if free > room > 0:
            revenue[city, ~fixed[city]] *= room / free
    other = np.maximum(city_total - revenue.sum(axis=1), 0.2 * city_total)
    return np.concatenate([revenue, other[:, None]], axis=1), counts, city_total, notes


def city_trade_intensity(world: World) -> np.ndarray:
    """Each city's trade per unit of GDP relative to the province's (1.0 where no fact is published).

    Facts ``city_trade.<code>`` / ``city_gdp.<code>`` against ``province_trade`` / ``province_gdp_2023``
    (Wuxi 2022: 7,373 亿 of trade on 14,851 亿 of GDP, 0.50, against the province's 0.41: 1.21).
    It multiplies the export propensity of the city's firms (gen_firms).
    """
    province = world.fact("province_trade") / world.fact("province_gdp_2023")
    out = np.ones(len(world.cities))
    for city, code in enumerate(world.cities):
        trade, gdp = world.facts.get(f"city_trade.{code}"), world.facts.get(f"city_gdp.{code}")
        if trade and gdp and trade["number"] and gdp["number"]:
            out[city] = trade["number"] / gdp["number"] / province
    return out


#: Tags used in the anchor keys of facts.csv -> keywords of PROFILES.
_TAGS = {"iot": "物联网", "new_power": "电力", "biomed": "生物医药", "materials": "新材料",
         "engineering_machinery": "工程机械", "ic": "集成电路", "textiles": "纺织", "shipbuilding": "船舶"}


def _tag_matches(tag: str, keyword: str) -> bool:
    return _TAGS.get(tag) == keyword
