"""Growth (增长) indicators: year-on-year growth, CAGR, shift-share of employment.

Formulas
--------
output_growth_yoy, employment_growth_yoy
    g_t = X_t / X_{t-1} − 1   (only where the previous calendar year exists and X_{t-1} > 0)
output_cagr
    (Q_t / Q_{t−W})^(1/W) − 1 over the window W (``Options.cagr_window``)
Shift-share of employment (Dunn 1960; Esteban-Marquillas 1972 notation) between t−1 and t,
with the reference area's total growth G = e_t/e_{t−1} − 1 and cluster growth
G_c = e_c,t/e_c,t−1 − 1 and the local cluster growth g = e_rc,t/e_rc,t−1 − 1:
    ss_total_change          Δ = e_rc,t − e_rc,t−1
    ss_reference_growth      NS = e_rc,t−1 · G                 (national / provincial share)
    ss_industry_mix          IM = e_rc,t−1 · (G_c − G)
    ss_local_competitiveness LC = e_rc,t−1 · (g − G_c)
    NS + IM + LC = Δ exactly.
Rows of the reference region itself are not produced (they are trivial).
"""

from __future__ import annotations

import ibis
from ibis import _

from .base import stack, ALL, melt, safe_div
from .registry import indicator_group


def _with_previous(totals: ibis.Table, lag_years: int, cols=("output", "employment")) -> ibis.Table:
    prev = totals.select("cluster_id", "region_code", year=_.year + lag_years,
                         **{f"{c}_prev": _[c] for c in cols})
    return totals.join(prev, ["cluster_id", "region_code", "year"])


def growth_indicators(totals: ibis.Table, reference: ibis.Table, cagr_window: int = 5) -> ibis.Table:
    """Long growth indicators from cluster totals and the reference area (see module docstring)."""
    yoy = _with_previous(totals, 1)
    parts = [melt(yoy, {
        "output_growth_yoy": (ibis.ifelse(_.output_prev > 0, _.output / _.output_prev - 1, ibis.null("float64")),
                              _.n, safe_div(_.output_max, _.output)),
        "employment_growth_yoy": (ibis.ifelse(_.employment_prev > 0, _.employment / _.employment_prev - 1,
                                              ibis.null("float64")), _.n, safe_div(_.employment_max, _.employment)),
    })]
    w = int(cagr_window)
    cagr = _with_previous(totals, w, ("output",))
    parts.append(melt(cagr, {
        "output_cagr": (ibis.ifelse((_.output_prev > 0) & (_.output > 0), (_.output / _.output_prev) ** (1.0 / w) - 1,
                                    ibis.null("float64")), _.n, safe_div(_.output_max, _.output)),
    }))

    ref_c = reference.filter(_.cluster_id != ALL).select("cluster_id", "year", "e_c", "reference_region")
    ref_all = reference.filter(_.cluster_id == ALL).select("year", e=_.e_c)
    ref = ref_c.join(ref_all, "year")
    ref_prev = ref.select("cluster_id", year=_.year + 1, e_c_prev=_.e_c, e_prev=_.e)
    ref = ref.join(ref_prev, ["cluster_id", "year"])
    ss = yoy.join(ref, ["cluster_id", "year"]).filter(
        (_.region_code != _.reference_region) & (_.e_c_prev > 0) & (_.e_prev > 0))
    ss = ss.mutate(grow_ref=_.e / _.e_prev - 1, grow_c=_.e_c / _.e_c_prev - 1)
    top = safe_div(_.employment_max, _.employment)
    parts.append(melt(ss, {
        "ss_total_change": (_.employment - _.employment_prev, _.n, top),
        "ss_reference_growth": (_.employment_prev * _.grow_ref, _.n, top),
        "ss_industry_mix": (_.employment_prev * (_.grow_c - _.grow_ref), _.n, top),
        "ss_local_competitiveness": ((_.employment - _.employment_prev) - _.employment_prev * _.grow_c, _.n, top),
    }))
    return stack(*parts)


@indicator_group("growth", ids=("output_growth_yoy", "employment_growth_yoy", "output_cagr", "ss_total_change",
                                "ss_reference_growth", "ss_industry_mix", "ss_local_competitiveness"),
                 reads=("totals", "reference"))
def growth_group(tables, opts):
    return growth_indicators(tables["totals"], tables["reference"], opts.cagr_window)
