"""Leading firms (龙头企业带动力).

Leading firms are the top ``k`` firms by revenue (ties broken by USCC) of a cluster in a
region and year (``Options.leaders_k``, default 10).

Formulas
--------
leader_output_share     Σ_{i∈L} output_i / Σ_i output_i
top_firm_output_share   max_i output_i / Σ_i output_i          (the largest firm's output share)
leader_branch_share     #{i∈L : branch plant} / #L             (分支机构: plants of foreign or
                        out-of-province groups, ``firms.is_branch``)
leader_driving_power    Σ_{s∈S} sales_{s→L} / Σ_{s∈S} sales_s   where S are the local suppliers:
                        firms located in the region that sold to at least one of the cluster's
                        firms in the region that year; sales_s are all their sales in
                        ``transactions``; sales_{s→L} those to the cluster's leading firms.
"""

from __future__ import annotations

import ibis
from ibis import _

from .base import KEYS, melt, safe_div, stack
from .chain import SAME_CITY, SAME_PROVINCE
from .registry import indicator_group


def rank_leaders(fy: ibis.Table, k: int = 10) -> ibis.Table:
    """Add ``rev_rank`` (0 = largest revenue per cluster × region × year, missing revenue as 0, ties by
    ``uscc``) and boolean ``is_leader`` (``rev_rank < k``)."""
    w = ibis.window(group_by=list(KEYS), order_by=[ibis.desc(_.revenue.fill_null(0)), "uscc"])
    return fy.mutate(rev_rank=ibis.row_number().over(w)).mutate(is_leader=_.rev_rank < k)


def leading_indicators(fy_ranked: ibis.Table) -> ibis.Table:
    """Leader output share, largest firm's output share, branch share of leaders."""
    wide = fy_ranked.group_by(*KEYS).aggregate(
        n=_.count(), output=_.output.sum(), output_max=_.output.max(),
        lead_output=_.output.sum(where=_.is_leader), n_leaders=_.is_leader.cast("int64").sum(),
        n_branch=(_.is_leader & _.is_branch).cast("int64").sum(),
        lead_output_max=_.output.max(where=_.is_leader))
    return melt(wide, {
        "leader_output_share": (safe_div(_.lead_output, _.output), _.n, safe_div(_.lead_output_max, _.lead_output)),
        "top_firm_output_share": (safe_div(_.output_max, _.output), _.n, safe_div(_.output_max, _.output)),
        "leader_branch_share": (safe_div(_.n_branch, _.n_leaders), _.n_leaders, None),
    })


def driving_power(fy_ranked: ibis.Table, located: ibis.Table, levels, sellers: ibis.Table) -> ibis.Table:
    """Long ``leader_driving_power`` rows (see module docstring).

    ``located``: :func:`jiqun.metrics.chain.located_purchases` of the cluster firms; ``sellers``:
    :func:`jiqun.metrics.chain.seller_years` (``sales_all`` per seller × year, same seller keys). At
    each level a sale from a firm located in the buyer's region at that level (``seller_location`` same city / same
    city or province) joins the buyer's cluster firm-years on (buyer, year).
    """
    local = []
    for lv in levels:
        if lv not in ("city", "province"):
            raise ValueError(f"unknown level {lv!r}")
        local_codes = (SAME_CITY,) if lv == "city" else (SAME_CITY, SAME_PROVINCE)
        flag = located.seller_location.isin(local_codes)
        s = located.filter(flag & located.seller_uscc.notnull()).select("seller_uscc", "buyer_uscc", "year", "amount")
        buyers = fy_ranked.filter(_.level == lv).select(
            buyer_uscc=_.uscc, year=_.year, cluster_id=_.cluster_id, region_code=_.region_code,
            is_leader=_.is_leader)
        j = s.join(buyers, ["buyer_uscc", "year"])
        local.append(j.select(*KEYS, "seller_uscc", "amount", "is_leader"))
    local = stack(*local) if len(local) > 1 else local[0]
    per_supplier = local.group_by(*KEYS, "seller_uscc").aggregate(to_leaders=_.amount.sum(where=_.is_leader))
    per_supplier = per_supplier.join(sellers.select("seller_uscc", "year", "sales_all"), ["seller_uscc", "year"])
    # per_supplier has one row per (cluster, region, year, seller): count() = distinct sellers.
    wide = per_supplier.group_by(*KEYS).aggregate(
        n=_.count(), to_leaders=_.to_leaders.fill_null(0).sum(), sales=_.sales_all.sum(),
        smax=_.sales_all.max())
    return melt(wide, {"leader_driving_power": (safe_div(_.to_leaders, _.sales), _.n, safe_div(_.smax, _.sales))})


@indicator_group("leading", ids=("leader_output_share", "top_firm_output_share", "leader_branch_share"),
                 reads=("ranked",))
def leading_group(tables, opts):
    return leading_indicators(tables["ranked"])


@indicator_group("driving_power", ids=("leader_driving_power",), reads=("ranked", "located", "sellers"))
def driving_power_group(tables, opts):
    return driving_power(tables["ranked"], tables["located"], opts.levels, tables["sellers"])
