"""Concentration (集中度) indicators per cluster × region × year.

Formulas (firm revenue shares s_i = revenue_i / Σ_j revenue_j within the cluster × region × year)
-----------------------------------------------------------------------------------------------
hhi    H = Σ_i s_i²   (Herfindahl–Hirschman; 1/n ≤ H ≤ 1 for n firms with revenue > 0)
cr4    Σ of the 4 largest s_i;  cr10  Σ of the 10 largest s_i
ellison_glaeser  (Ellison & Glaeser 1997) for a cluster over the cities of a province,
    with firms as establishments and employment as the size measure:
    s_r = cluster employment in city r / cluster employment in the province
    x_r = all firms' employment in city r / all firms' employment in the province
    G   = Σ_r (s_r − x_r)²,   H = Σ_j z_j² (z_j firm j's share of the cluster's employment)
    γ   = (G − (1 − Σ_r x_r²) H) / ((1 − Σ_r x_r²)(1 − H))
    Produced on province rows.
"""

from __future__ import annotations

import ibis
from ibis import _

from .base import KEYS, melt, province_code, safe_div
from .leading import rank_leaders
from .registry import indicator_group


def concentration_indicators(fy_ranked: ibis.Table) -> ibis.Table:
    """HHI, CR4 and CR10 on revenue from cluster firm-years at levels, with the revenue rank
    ``rev_rank`` of :func:`jiqun.metrics.leading.rank_leaders` (0 = largest; added when absent).

    Computed as aggregates, without a window: H = Σ r_i² / (Σ r_i)², CR_k = Σ_{rank<k} r_i / Σ r_i
    over firms with revenue > 0 (they rank before all others)."""
    if "rev_rank" not in fy_ranked.columns:
        fy_ranked = rank_leaders(fy_ranked)
    firms = fy_ranked.filter(_.revenue > 0)
    wide = firms.group_by(*KEYS).aggregate(
        n=_.count(), total=_.revenue.sum(), sum_sq=(_.revenue * _.revenue).sum(), top=_.revenue.max(),
        top4=_.revenue.sum(where=_.rev_rank < 4), top10=_.revenue.sum(where=_.rev_rank < 10))
    wide = wide.mutate(hhi=_.sum_sq / (_.total * _.total), top=_.top / _.total,
                       cr4=_.top4 / _.total, cr10=_.top10 / _.total)
    return melt(wide, {"hhi": (_.hhi, _.n, _.top), "cr4": (_.cr4, _.n, _.top), "cr10": (_.cr10, _.n, _.top)})


def ellison_glaeser(fy_city: ibis.Table, all_city: ibis.Table) -> ibis.Table:
    """Ellison–Glaeser γ per cluster × province × year.

    Parameters
    ----------
    fy_city : ibis.Table
        Cluster firm-years at city level: ``cluster_id, region_code (city), year, uscc, employment``.
    all_city : ibis.Table
        All firms' employment per city × year: ``region_code, year, e_r``.

    Returns
    -------
    ibis.Table
        ``cluster_id, region_code (province), year, gamma, gini (G), herf (H), n, top``.
    """
    city_shares = all_city.mutate(prov=province_code(_.region_code))
    city_shares = city_shares.mutate(x_r=_.e_r / _.e_r.sum().over(group_by=["prov", "year"]))
    sum_x2 = city_shares.group_by("prov", "year").aggregate(sx2=(_.x_r * _.x_r).sum())
    firms = fy_city.filter(_.employment > 0).mutate(prov=province_code(_.region_code))
    tot = firms.group_by("cluster_id", "prov", "year").aggregate(
        e_c=_.employment.sum(), n=_.count(), emax=_.employment.max(),
        sum_sq=(_.employment * _.employment).sum())
    tot = tot.mutate(herf=_.sum_sq / (_.e_c * _.e_c), top=_.emax / _.e_c)
    city = firms.group_by("cluster_id", "prov", "region_code", "year").aggregate(e_rc=_.employment.sum())
    grid = tot.select("cluster_id", "prov", "year", "e_c").join(city_shares.select("prov", "year", "region_code", "x_r"),
                                                                 ["prov", "year"])
    full = grid.left_join(city, ["cluster_id", "prov", "region_code", "year"]).select(
        "cluster_id", "prov", "year", "x_r", s_r=_.e_rc.fill_null(0) / _.e_c)
    gini = full.group_by("cluster_id", "prov", "year").aggregate(gini=((_.s_r - _.x_r) ** 2).sum())
    out = gini.join(tot, ["cluster_id", "prov", "year"]).join(sum_x2, ["prov", "year"])
    out = out.mutate(gamma=safe_div(_.gini - (1 - _.sx2) * _.herf, (1 - _.sx2) * (1 - _.herf)))
    return out.select("cluster_id", region_code=_.prov, year=_.year, gamma=_.gamma, gini=_.gini, herf=_.herf,
                      n=_.n, top=_.top)


def eg_indicator(fy: ibis.Table, regions: ibis.Table) -> ibis.Table:
    """Long ``ellison_glaeser`` rows (province level) from cluster firm-years and region totals."""
    eg = ellison_glaeser(fy.filter(_.level == "city"), regions.filter(_.level == "city"))
    return melt(eg, {"ellison_glaeser": (_.gamma, _.n, _.top)})


@indicator_group("concentration", ids=("hhi", "cr4", "cr10"), reads=("ranked",))
def concentration_group(tables, opts):
    return concentration_indicators(tables["ranked"])


@indicator_group("ellison_glaeser", ids=("ellison_glaeser",), reads=("fy", "regions"))
def ellison_glaeser_group(tables, opts):
    # Defined over the cities of a province: nothing to compute when the city level is not asked for.
    return eg_indicator(tables["fy"], tables["regions"]) if "city" in opts.levels else None
