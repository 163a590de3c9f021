"""Chain integration (产业链条整合力).

Purchases P of a cluster in region r and year t: all ``transactions`` whose buyer is one of the
cluster's firms located in r (a firm in two clusters counts for both). A seller is in the same
city (province) when its region code's first 4 (2) digits equal the buyer firm's; imported when
its country is not CHN.

Formulas
--------
local_supporting_rate_city       P_same city / P            (本地配套率, city)
local_supporting_rate_province   P_same province / P        (本地配套率, province)
import_share_purchases           P_imported / P
chain_segment_coverage           #{nodes of the cluster's chain template with ≥ 1 firm located in r,
                                 with accounts in t, serving the node} / #{nodes}
suppliers_moved_out              #{sellers that supplied the cluster's firms in r in t−1 from the
                                 buyer's province and sold from outside it in t} (location of a
                                 seller in a year = the largest region code on its sales)
"""

from __future__ import annotations

import ibis
from ibis import _

from .base import KEYS, melt, province_code, safe_div
from ..marts import city_code


def _purchases(fy: ibis.Table, transactions: ibis.Table) -> ibis.Table:
    buyers = fy.select(*KEYS, "level", buyer_uscc=_.uscc, firm_region=_.firm_region)
    tx = transactions.filter(_.buyer_uscc.notnull()).select(
        "buyer_uscc", "year", "seller_uscc", amount=_.amount_yuan.cast("float64"),
        seller_region_code=_.seller_region_code, seller_country=_.seller_country.fill_null("CHN"))
    return tx.join(buyers, ["buyer_uscc", "year"])


def purchase_indicators(fy: ibis.Table, transactions: ibis.Table) -> ibis.Table:
    """Local supporting rates and import share of purchases."""
    p = _purchases(fy, transactions)
    domestic = (_.seller_country == "CHN") & _.seller_region_code.notnull()
    p = p.mutate(
        same_city=(domestic & (city_code(_.seller_region_code) == city_code(_.firm_region))).fill_null(False),
        same_prov=(domestic & (province_code(_.seller_region_code) == province_code(_.firm_region))).fill_null(False),
        imported=(_.seller_country != "CHN"))
    per_buyer = p.group_by(*KEYS, "buyer_uscc").aggregate(
        total=_.amount.sum(), city=_.amount.sum(where=_.same_city), prov=_.amount.sum(where=_.same_prov),
        imp=_.amount.sum(where=_.imported))
    wide = per_buyer.group_by(*KEYS).aggregate(
        n=_.buyer_uscc.nunique(), total=_.total.sum(), city=_.city.sum(), prov=_.prov.sum(), imp=_.imp.sum(),
        city_max=_.city.max(), prov_max=_.prov.max(), imp_max=_.imp.max())
    return melt(wide, {
        "local_supporting_rate_city": (safe_div(_.city.fill_null(0), _.total), _.n, safe_div(_.city_max, _.city)),
        "local_supporting_rate_province": (safe_div(_.prov.fill_null(0), _.total), _.n,
                                           safe_div(_.prov_max, _.prov)),
        "import_share_purchases": (safe_div(_.imp.fill_null(0), _.total), _.n, safe_div(_.imp_max, _.imp)),
    })


def segment_suppliers(fy_all_levels: ibis.Table, firm_nodes: ibis.Table, nodes: ibis.Table) -> ibis.Table:
    """Node × region × year with ``n_local`` (firms located in the region, with accounts that year,
    serving the node). ``fy_all_levels``: all firms' firm-years at levels (uscc, year, region_code)."""
    served = firm_nodes.select("uscc", "node_id").join(nodes.select("node_id", "cluster_id"), "node_id")
    active = fy_all_levels.select("uscc", "year", "region_code").distinct()
    return served.join(active, "uscc").group_by("cluster_id", "node_id", "region_code", "year").aggregate(
        n_local=_.uscc.nunique())


def coverage_indicator(fy: ibis.Table, seg: ibis.Table, nodes: ibis.Table) -> ibis.Table:
    """``chain_segment_coverage`` for every cluster × region × year with cluster firms."""
    n_nodes = nodes.group_by("cluster_id").aggregate(n_nodes=_.node_id.nunique())
    covered = seg.filter(_.n_local > 0).group_by(*KEYS).aggregate(covered=_.node_id.nunique())
    keys = fy.group_by(*KEYS).aggregate(n=_.uscc.nunique())
    wide = keys.join(n_nodes, "cluster_id").left_join(covered, list(KEYS)).select(
        *KEYS, "n", "n_nodes", covered=_.covered.fill_null(0))
    return melt(wide, {"chain_segment_coverage": (safe_div(_.covered, _.n_nodes), _.n, None)})


def moved_out_indicator(fy: ibis.Table, transactions: ibis.Table) -> ibis.Table:
    """``suppliers_moved_out`` (see module docstring)."""
    located = transactions.filter(_.seller_uscc.notnull() & _.seller_region_code.notnull()).group_by(
        "seller_uscc", "year").aggregate(loc=_.seller_region_code.max())
    p = _purchases(fy, transactions).filter(_.seller_uscc.notnull())
    prev = p.select(*KEYS, "seller_uscc", "firm_region").distinct().join(located, ["seller_uscc", "year"])
    prev = prev.filter(province_code(_.loc) == province_code(_.firm_region))
    now = located.select("seller_uscc", year=_.year - 1, loc_next=_.loc)
    moved = prev.join(now, ["seller_uscc", "year"]).filter(province_code(_.loc_next) != province_code(_.firm_region))
    counts = moved.group_by("cluster_id", "region_code", year=_.year + 1).aggregate(
        moved=_.seller_uscc.nunique())
    keys = fy.group_by(*KEYS).aggregate(n=_.uscc.nunique())
    prev_keys = keys.select("cluster_id", "region_code", year=_.year + 1)
    wide = keys.join(prev_keys, list(KEYS)).left_join(counts, list(KEYS)).select(
        *KEYS, moved=_.moved.fill_null(0))
    return melt(wide, {"suppliers_moved_out": (_.moved, _.moved, None)})
