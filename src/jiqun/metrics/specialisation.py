"""Specialisation (专业化) indicators: location quotients, Krugman index, national share.

Formulas
--------
lq_employment          LQ = (e_rc / e_r) / (e_c / e)        (US Cluster Mapping; e_r over all firms)
lq_output              the same on gross output value q
krugman_index          K_r = Σ_i |s_ri − s_i|, s_ri = e_ri / e_r, s_i = e_i / e, over GB/T 4754
                       divisions i (Krugman 1991; 0 = same structure as the reference, max 2);
                       cluster_id 'all'
national_output_share  q_rc / q_c with the nation as reference (only when the reference area
                       is the nation, region 100000)
The reference area is :func:`jiqun.metrics.base.reference_area`. Rows of the reference
region itself are not produced.
"""

from __future__ import annotations

import ibis
from ibis import _

from .base import stack, ALL, NATION_CODE, melt, safe_div
from .registry import indicator_group


def specialisation_indicators(totals: ibis.Table, regions: ibis.Table, reference: ibis.Table) -> ibis.Table:
    """LQs and national share from cluster totals, region totals (e_r, q_r) and the reference area."""
    ref_c = reference.filter(_.cluster_id != ALL).select("cluster_id", "year", "e_c", "q_c", "reference_region")
    ref_all = reference.filter(_.cluster_id == ALL).select("year", e=_.e_c, q=_.q_c)
    t = totals.join(regions.select("region_code", "year", "e_r", "q_r"), ["region_code", "year"])
    t = t.join(ref_c, ["cluster_id", "year"]).join(ref_all, "year").filter(_.region_code != _.reference_region)
    specs = {
        "lq_employment": (safe_div(safe_div(_.employment, _.e_r), safe_div(_.e_c, _.e)), _.n,
                          safe_div(_.employment_max, _.employment)),
        "lq_output": (safe_div(safe_div(_.output, _.q_r), safe_div(_.q_c, _.q)), _.n,
                      safe_div(_.output_max, _.output)),
    }
    national = t.filter(_.reference_region == NATION_CODE)
    return stack(melt(t, specs), melt(national, {
        "national_output_share": (safe_div(_.output, _.q_c), _.n, safe_div(_.output_max, _.output))}))


def krugman(region_div: ibis.Table, ref_div: ibis.Table) -> ibis.Table:
    """Krugman specialisation index K_r = Σ_i |s_ri − s_i|.

    Parameters
    ----------
    region_div : ibis.Table
        ``region_code, year, division, e_ri`` (plus optional ``n_firms``, ``top_firm_share`` per region).
    ref_div : ibis.Table
        ``year, division, e_i`` of the reference area.

    Returns
    -------
    ibis.Table
        ``region_code, year, krugman``.
    """
    r = region_div.mutate(s_ri=_.e_ri / _.e_ri.sum().over(group_by=["region_code", "year"]))
    f = ref_div.mutate(s_i=_.e_i / _.e_i.sum().over(group_by="year"))
    grid = r.select("region_code", "year").distinct().join(f.select("year", "division", "s_i"), "year")
    full = grid.left_join(r.select("region_code", "year", "division", "s_ri"),
                          ["region_code", "year", "division"]).select(
        "region_code", "year", "division", s_i=_.s_i.fill_null(0), s_ri=_.s_ri.fill_null(0))
    # Divisions present in the region but absent from the reference (s_i = 0).
    extra = r.anti_join(f, ["year", "division"]).select("region_code", "year", "division", s_i=ibis.literal(0.0),
                                                        s_ri=_.s_ri)
    both = stack(full, extra)
    return both.group_by("region_code", "year").aggregate(krugman=(_.s_ri - _.s_i).abs().sum())


def krugman_indicator(region_div: ibis.Table, ref_div: ibis.Table, regions: ibis.Table,
                      reference: ibis.Table) -> ibis.Table:
    """Long ``krugman_index`` rows (cluster_id 'all') from all firms' employment per region × year ×
    division (:func:`jiqun.metrics.base.region_division_employment`)."""
    k = krugman(region_div, ref_div).join(regions, ["region_code", "year"])
    ref_regions = reference.select(ref_code=_.reference_region).distinct()
    k = k.anti_join(ref_regions, k.region_code == ref_regions.ref_code).mutate(cluster_id=ibis.literal(ALL))
    return melt(k, {"krugman_index": (_.krugman, _.n_r, safe_div(_.max_r, _.e_r))})


@indicator_group("specialisation", ids=("lq_employment", "lq_output", "national_output_share"),
                 reads=("totals", "regions", "reference"))
def specialisation_group(tables, opts):
    return specialisation_indicators(tables["totals"], tables["regions"], tables["reference"])


@indicator_group("krugman", ids=("krugman_index",), reads=("region_div", "ref_div", "regions", "reference"))
def krugman_group(tables, opts):
    return krugman_indicator(tables["region_div"], tables["ref_div"], tables["regions"], tables["reference"])
