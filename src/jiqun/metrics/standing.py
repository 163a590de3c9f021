"""World market leaders and promotion organisations of a cluster (市场地位与集群促进机构): what the tier
candidates (``firm_markets``) and the organisation evaluation (``organizations``) add to the monitoring,
so that the evaluation can weigh them.

Formulas
--------
n_world_top3_firms       #{i : i ranks ≤ 3 in a world market in ``firm_markets``, reported in or before t}
promotion_org_coverage   Σ_o member_firms_{o,t} / #{i}: members of the cluster's promotion organisations
                         seated in the region, per firm of the cluster there (may exceed 1 where the
                         organisations admit firms of other clusters or outside the register)
"""

from __future__ import annotations

from ibis import _

from .base import KEYS, level_code, melt, safe_div, stack
from .registry import indicator_group, source_input


@source_input("world_leaders")
def world_leaders_input(con, opts, facts):
    """``uscc, first_year``: the first year each firm is reported in a world market's top three."""
    markets = con.table("firm_markets").filter((_.scope == "world") & (_.market_rank <= 3))
    return markets.group_by("uscc").aggregate(first_year=_.year.min().cast("int64"))


@source_input("org_members")
def organization_members_input(con, opts, facts):
    """``cluster_id, region_code, year, members``: promotion organisations' member firms per cluster, at the
    levels of ``opts`` (an organisation counts in its seat's city and in the province)."""
    years = con.table("organization_years").join(con.table("organizations"), "organization_id")
    parts = [years.select("cluster_id", "year", "member_firms", region_code=level_code(_.region_code, level))
             for level in opts.levels]
    return (stack(*parts).group_by("cluster_id", "region_code", year=_.year.cast("int64"))
            .aggregate(members=_.member_firms.sum()))


def standing_indicators(fy, world_leaders, org_members):
    """Long standing indicators from cluster firm-years, world leaders and organisation members."""
    flagged = fy.left_join(world_leaders, "uscc").select(
        *KEYS, "uscc", leader=(_.first_year <= _.year).fill_null(False))
    wide = flagged.group_by(*KEYS).aggregate(n=_.uscc.nunique(), leaders=_.uscc.nunique(where=_.leader))
    wide = wide.left_join(org_members, list(KEYS)).select(*KEYS, "n", "leaders", "members")
    return melt(wide, {
        "n_world_top3_firms": (_.leaders, _.n, None),
        "promotion_org_coverage": (safe_div(_.members, _.n), _.n, None),
    })


@indicator_group("standing", ids=("n_world_top3_firms", "promotion_org_coverage"),
                 reads=("fy", "world_leaders", "org_members"))
def standing_group(tables, opts):
    return standing_indicators(tables["fy"], tables["world_leaders"], tables["org_members"])
