"""Synthetic regional employment, cluster promotion organisations and the policy registry."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from ..schema.vocab import HOME_PROVINCE_CODE
from .gen_common import YEARS, days_in_year, pick, stream, uscc_array, write_csv
from .gen_firms import Firms
from .gen_world import World

#: Departments and the instruments each tends to use (weights; OECD STIP codes): the 九龙治水 pattern.
PROVINCE_DEPARTMENTS = {
    "江苏省工业和信息化厅": {"strategy": 3, "grants_business_rd": 3, "networking_platforms": 2, "standards": 1,
                      "procurement_rd": 1, "advisory_services": 1},
    "江苏省发展和改革委员会": {"strategy": 3, "land": 1, "equity": 1, "grants_business_rd": 1},
    "江苏省科学技术厅": {"networking_platforms": 2, "grants_business_rd": 2, "challenges_prizes": 1,
                    "centres_of_excellence": 1, "talent_programme": 1},
    "江苏省财政厅": {"grants_business_rd": 3, "tax_relief_corporate": 1, "equity": 2},
    "江苏省商务厅": {"grants_business_rd": 1, "other": 1, "networking_platforms": 1},
    "江苏省人力资源和社会保障厅": {"talent_programme": 3, "grants_business_rd": 1},
    "江苏省自然资源厅": {"land": 3},
    "江苏省地方金融监督管理局": {"equity": 2, "loans_credits": 1, "guarantees": 1},
}
CITY_DEPARTMENTS = {
    "工业和信息化局": {"strategy": 3, "grants_business_rd": 3, "networking_platforms": 1, "advisory_services": 1},
    "发展和改革委员会": {"strategy": 2, "land": 1, "equity": 1},
    "科学技术局": {"networking_platforms": 2, "grants_business_rd": 2, "talent_programme": 1, "vouchers": 1},
    "财政局": {"grants_business_rd": 3, "tax_relief_corporate": 1},
    "人力资源和社会保障局": {"talent_programme": 3},
    "商务局": {"grants_business_rd": 1, "other": 1},
}
#: Title, theme, target group and a summary sentence of each instrument's policies.
TITLES = {
    "strategy": ("{place}{target}集群高质量发展三年行动计划（{y}—{y2}年）", "chain", "all_firms",
                 "实施强链补链行动，提升本地配套率，培育链主企业。"),
    "grants_business_rd": ("{place}支持{target}集群发展专项资金管理办法", "innovation", "all_firms",
                           "对企业研发投入和技术改造给予专项资金奖补。"),
    "networking_platforms": ("{place}关于建设{target}产业创新平台的实施意见", "chain", "organizations",
                             "建设产学研协同平台，组织供需对接，支持集群促进机构发挥作用。"),
    "standards": ("{place}{target}产业链标准体系建设指南", "openness", "large_firms",
                  "支持龙头企业主导制定国际和国家标准，推进品牌建设。"),
    "land": ("{place}保障{target}重大项目用地的若干措施", "land_infrastructure", "large_firms",
             "优先保障重大项目用地和标准厂房。"),
    "equity": ("{place}设立{target}产业投资基金的实施方案", "finance", "startups",
               "设立政府引导基金，开展股权投资。"),
    "loans_credits": ("{place}{target}企业科技贷款贴息办法", "finance", "sme", "对科技贷给予贴息。"),
    "guarantees": ("{place}{target}企业融资担保风险补偿办法", "finance", "sme", "设立风险补偿资金池。"),
    "tax_relief_corporate": ("{place}落实{target}企业研发费用加计扣除的通知", "innovation", "all_firms",
                             "落实研发费用加计扣除税收优惠。"),
    "talent_programme": ("{place}{target}领域高层次人才引进办法", "talent", "talent",
                         "引进高层次人才和工程师团队，给予安家补贴。"),
    "procurement_rd": ("{place}推广应用{target}首台套产品的通知", "chokepoint", "all_firms",
                       "对首台套首批次产品示范应用给予支持，突破关键核心技术。"),
    "challenges_prizes": ("{place}{target}关键核心技术揭榜挂帅项目指南", "chokepoint", "all_firms",
                          "围绕卡脖子环节实行揭榜挂帅，组织技术攻关。"),
    "centres_of_excellence": ("{place}{target}制造业创新中心建设方案", "chokepoint", "research",
                              "建设制造业创新中心，攻关关键共性技术。"),
    "vouchers": ("{place}{target}科技创新券实施细则", "innovation", "sme", "向中小企业发放创新券，购买检测和研发服务。"),
    "advisory_services": ("{place}{target}专精特新企业梯度培育实施方案", "firm_growth", "sme",
                          "建立专精特新企业培育库，开展企业诊断和咨询服务。"),
    "other": ("{place}促进{target}集群开放合作的若干措施", "openness", "all_firms", "支持企业开拓国际市场。"),
}
def regional_employment(world: World, acc: np.ndarray) -> pa.Table:
    """City x cluster x year aggregates of the firm panel (the last column, outside clusters, is left out)."""
    n_cities, n_cells, n_years, _ = acc.shape
    city, cluster, year = np.meshgrid(np.arange(n_cities), np.arange(n_cells - 1), np.arange(n_years),
                                      indexing="ij")
    city, cluster, year = city.ravel(), cluster.ravel(), year.ravel()
    totals = acc[city, cluster, year]
    employs = totals[:, 0] > 0
    city, cluster, year, totals = city[employs], cluster[employs], year[employs], totals[employs]
    return pa.table({
        "region_code": np.asarray(world.cities)[city], "classification": np.full(len(city), "cluster"),
        "sector_code": np.asarray(world.clusters)[cluster], "year": YEARS[year].astype(np.int32),
        "employment": totals[:, 0], "establishments": totals[:, 1].astype(np.int64),
        "payroll_yuan": np.round(totals[:, 3]), "output_value_yuan": np.round(totals[:, 2]),
        "traded": np.ones(len(city), bool),
    })


def organizations(world: World, firms: Firms, seed: int) -> tuple[pa.Table, pa.Table]:
    """1-3 promotion organisations per cluster, seated in its core cities, and their yearly activity."""
    rng = stream(seed, "organizations")
    rows, years_rows = [], []
    serial = 800_000_000
    for cluster_index, cluster_id in enumerate(world.clusters):
        core = [city for city in range(len(world.cities))
                if world.roles.get((city, cluster_index)) == "core"] or \
               [int(np.argmax(world.city_va))]
        n_org = int(min(3, 1 + rng.integers(0, 3)))
        for number in range(n_org):
            city = core[number % len(core)]
            form = ["association", "alliance", "institute", "company"][min(number + int(rng.integers(0, 2)), 3)]
            suffix = {"association": "产业协会", "alliance": "产业创新联盟", "institute": "产业技术研究院",
                      "company": "集群发展促进中心有限公司"}[form]
            short = world.city_names[city].removesuffix("市")
            authority = {"association": "51", "alliance": "51", "institute": "52", "company": "91"}[form]
            code = uscc_array(authority, np.array([world.cities[city]]), np.array([serial]))[0]
            serial += 1
            founded = days_in_year(rng, np.array([int(rng.integers(2006, 2022))]))[0]
            org_id = f"ORG-{cluster_id}-{number + 1}"
            rows.append((org_id, f"{short}{_short_name(world.cluster_names[cluster_index])}{suffix}",
                         code if rng.random() < 0.85 else None, cluster_id, world.cities[city], form,
                         founded.item()))
            quality = rng.beta(2, 2)
            local = int(((firms.cluster == cluster_index) & (firms.city == city)).sum())
            founded_year = int(str(founded)[:4])
            for year in YEARS:
                if year < founded_year:
                    continue
                age = year - founded_year
                members = int(round(local * (0.15 + 0.5 * quality) * min(1, 0.3 + 0.15 * age) + rng.poisson(3)))
                staff = int(3 + round(25 * quality * min(1, 0.5 + 0.1 * age)) + rng.integers(0, 3))
                budget = round(staff * 2.2e5 * rng.lognormal(0, 0.3), -3)
                years_rows.append((org_id, int(year), members, staff, budget,
                                   int(rng.poisson(20 * quality * staff)), int(rng.poisson(4 + 30 * quality)),
                                   int(rng.poisson(10 * quality)), int(rng.poisson(3 * quality)),
                                   round(float(np.clip(58 + 35 * quality + rng.normal(0, 4), 0, 100)), 1)))
    columns = ["organization_id", "name", "uscc", "cluster_id", "region_code", "legal_form", "founded_on"]
    orgs = pa.table({column: [row[position] for row in rows] for position, column in enumerate(columns)})
    year_columns = ["organization_id", "year", "member_firms", "staff", "budget_yuan", "services", "events",
             "joint_projects", "standards", "satisfaction"]
    return orgs, pa.table({column: [row[position] for row in years_rows]
                          for position, column in enumerate(year_columns)})


def _short_name(name: str) -> str:
    """Cluster name without bracketed qualifiers, for titles."""
    for bracket in ("（", "("):
        name = name.split(bracket)[0]
    return name


def policies(world: World, seed: int) -> pa.Table:
    """Province and city policies 2016-2023: departments x instruments x target clusters (overlapping)."""
    rng = stream(seed, "policies")
    today = dt.date.today()
    rows = []
    n_clusters = len(world.clusters)
    issuers = [("province", HOME_PROVINCE_CODE, "江苏省", department, weights, 1.0)
               for department, weights in PROVINCE_DEPARTMENTS.items()]
    for city_index, code in enumerate(world.cities):
        city = world.city_names[city_index]
        issuers += [("city", code, city, city + department, weights, 0.45)
                    for department, weights in CITY_DEPARTMENTS.items()]
    for level, region, place, dept, instruments, rate in issuers:
        city_index = world.cities.index(region) if region in world.cities else None
        for year in YEARS:
            for _ in range(int(rng.poisson(rate))):
                instrument = pick(rng, list(instruments), list(instruments.values()), 1)[0]
                if city_index is None:
                    targets = rng.choice(n_clusters, size=int(rng.integers(1, 5)), replace=False)
                else:
                    # Cities mostly back their own core/collaboration clusters; 15% chase others.
                    own = [cluster for cluster in range(n_clusters) if (city_index, cluster) in world.roles]
                    pool = own if own and rng.random() > 0.15 else list(range(n_clusters))
                    targets = rng.choice(pool, size=int(min(len(pool), rng.integers(1, 3))), replace=False)
                targets = sorted(int(cluster) for cluster in targets)
                target_text = "、".join(_short_name(world.cluster_names[cluster]) for cluster in targets[:2]) + \
                    ("等" if len(targets) > 2 else "")
                issued = days_in_year(rng, np.array([year]), today)[0]
                start = issued + np.timedelta64(int(rng.integers(0, 60)), "D")
                end = (start + np.timedelta64(int(rng.integers(3, 6)) * 365, "D")).item() if rng.random() < 0.8 \
                    else None
                issued, start = issued.item(), start.item()
                budget = None
                if instrument in ("grants_business_rd", "equity", "loans_credits", "guarantees"):
                    budget = round(float(rng.lognormal(np.log(5e8 if level == "province" else 8e7), 0.8)), -4)
                title, theme, group, summary = TITLES[instrument]
                nodes = ""
                if theme in ("chokepoint", "chain") and rng.random() < 0.5:
                    # Name the most imported segments of the first target: where the chokepoints are.
                    own_nodes = np.flatnonzero(world.node_cluster == targets[0])
                    named = own_nodes[np.argsort(-world.node_import_share[own_nodes])][:int(rng.integers(1, 3))]
                    nodes = ";".join(world.nodes[node] for node in named)
                rows.append({
                    "policy_id": f"DEMO-{region}-{year}-{len(rows) + 1:04d}",
                    "title": title.format(place=place, target=target_text, y=year, y2=year + 2),
                    "department": dept, "level": level, "region_code": region,
                    "target_clusters": ";".join(world.clusters[cluster] for cluster in targets),
                    "target_nodes": nodes or None, "instrument": instrument, "target_group": group,
                    "theme": theme, "text": f"{place}{dept.removeprefix(place)}：" + summary,
                    "issued_on": issued, "effective_from": start, "effective_to": end, "budget_yuan": budget,
                })
    return pa.Table.from_pylist(rows)


def write_all(world: World, firms: Firms, acc: np.ndarray, paths: dict, seed: int) -> dict:
    """Write regional_employment, organizations, organization_years and policies as UTF-8 CSV."""
    orgs, org_years = organizations(world, firms, seed)
    out = {"regional_employment": regional_employment(world, acc), "organizations": orgs,
           "organization_years": org_years, "policies": policies(world, seed)}
    for name, table in out.items():
        write_csv(paths[name], table)
    return {k: v.num_rows for k, v in out.items()}
