"""Marts: firm → cluster assignment and cluster × city × year facts (ibis expressions).

Everything here is an ibis expression over the store's tables, so the same
code runs on the embedded DuckDB file and on any other ibis backend.

Grain and keys
--------------
firm_clusters
    one firm × cluster; key (uscc, cluster_id). A firm belongs to a cluster when its
    GB/T 4754 code falls under one of the cluster's member codes (a 2-, 3- or
    4-digit prefix) or when it serves one of the cluster's chain nodes.
cluster_city_year
    one cluster × prefecture city × year; key (cluster_id, city_code, year). Carries
    ``n_firms`` and ``top_firm_share`` (largest firm's share of revenue) for
    disclosure control.
"""

from __future__ import annotations

import ibis
from ibis import _

#: 规模以上 (above designated size): main-business revenue ≥ 20 million yuan.
ABOVE_SIZE_REVENUE_YUAN = 20_000_000


def city_code(region_code):
    """Prefecture-city code (GB/T 2260) of a county-level code: first 4 digits + '00'."""
    return region_code.substr(0, 4) + "00"


def firm_clusters(con) -> ibis.Table:
    """Firm × cluster membership (by industry code prefix or by chain node served)."""
    firms = con.table("firms").select("uscc", "industry_code")
    members = con.table("cluster_industries").mutate(code_len=_.industry_code.length())
    parts = []
    for digits in (2, 3, 4):
        codes = members.filter(_.code_len == digits).select("cluster_id", member=_.industry_code)
        joined = firms.join(codes, firms.industry_code.substr(0, digits) == codes.member)
        parts.append(joined.select("uscc", "cluster_id", via=ibis.literal("industry")))
    nodes = con.table("chain_nodes").select("node_id", "cluster_id")
    served = con.table("firm_chain_nodes").join(nodes, "node_id")
    parts.append(served.select("uscc", "cluster_id", via=ibis.literal("chain_node")))
    union = ibis.union(*parts, distinct=True)
    return union.group_by("uscc", "cluster_id").aggregate(via=_.via.min())


def cluster_city_year(con) -> ibis.Table:
    """Cluster × city × year totals from firm data, with n_firms and top firm's share."""
    firms = con.table("firms").select("uscc", city_code=city_code(_.region_code))
    years = con.table("firm_years")
    membership = firm_clusters(con).select("uscc", "cluster_id")
    facts = years.join(firms, "uscc").join(membership, "uscc")
    grouped = facts.group_by("cluster_id", "city_code", "year").aggregate(
        n_firms=_.uscc.nunique(),
        n_above_size=(_.revenue_yuan >= ABOVE_SIZE_REVENUE_YUAN).cast("int64").sum(),
        revenue_yuan=_.revenue_yuan.sum(),
        output_value_yuan=_.output_value_yuan.sum(),
        employment=_.employment.sum(),
        exports_yuan=_.exports_yuan.sum(),
        rd_expenditure_yuan=_.rd_expenditure_yuan.sum(),
        top_firm_revenue=_.revenue_yuan.max(),
    )
    return grouped.mutate(
        top_firm_share=ibis.ifelse(_.revenue_yuan > 0, _.top_firm_revenue / _.revenue_yuan, ibis.null())
    ).drop("top_firm_revenue").order_by("cluster_id", "city_code", "year")


def city_year(con) -> ibis.Table:
    """City × year totals over all firms (for ranking cities)."""
    firms = con.table("firms").select("uscc", city_code=city_code(_.region_code))
    facts = con.table("firm_years").join(firms, "uscc")
    return facts.group_by("city_code", "year").aggregate(
        n_firms=_.uscc.nunique(),
        n_above_size=(_.revenue_yuan >= ABOVE_SIZE_REVENUE_YUAN).cast("int64").sum(),
        revenue_yuan=_.revenue_yuan.sum(),
        output_value_yuan=_.output_value_yuan.sum(),
        employment=_.employment.sum(),
    ).order_by("city_code", "year")
