"""Scale (规模) indicators per cluster × region × year.

Formulas (symbols: :mod:`jiqun.metrics.base`)
--------------------------------------------
output_value          Q_crt = Σ_i output_i                    (工业总产值, yuan)
revenue               R_crt = Σ_i revenue_i                   (营业收入, yuan)
n_above_size          #{i : revenue_i ≥ 20,000,000 yuan}      (规上企业数)
employment            E_crt = Σ_i employment_i                (从业人员, persons)
province_output_share Q_c,city,t / Q_c,province,t              (city rows only)
"""

from __future__ import annotations

import ibis
from ibis import _

from ..marts import ABOVE_SIZE_REVENUE_YUAN
from .base import stack, KEYS, melt, province_code, safe_div
from .registry import indicator_group


def cluster_totals(fy: ibis.Table) -> ibis.Table:
    """Wide cluster × region × year totals from :func:`jiqun.metrics.base.cluster_firm_years`."""
    return fy.group_by(*KEYS, "level").aggregate(
        n=_.count(),  # one row per firm in each cluster × region × year × level
        output=_.output.sum(), output_max=_.output.max(),
        revenue=_.revenue.sum(), revenue_max=_.revenue.max(),
        employment=_.employment.sum(), employment_max=_.employment.max(),
        n_above_size=(_.revenue >= ABOVE_SIZE_REVENUE_YUAN).cast("int64").sum(),
    )


def scale_indicators(totals: ibis.Table) -> ibis.Table:
    """Long scale indicators from :func:`cluster_totals`."""
    long = melt(totals, {
        "output_value": (_.output, _.n, safe_div(_.output_max, _.output)),
        "revenue": (_.revenue, _.n, safe_div(_.revenue_max, _.revenue)),
        "n_above_size": (_.n_above_size, _.n, None),
        "employment": (_.employment, _.n, safe_div(_.employment_max, _.employment)),
    })
    city = totals.filter(_.level == "city")
    prov = totals.filter(_.level == "province").select(
        "cluster_id", "year", prov_code=_.region_code, prov_output=_.output)
    shares = city.mutate(prov_code=province_code(_.region_code)).join(prov, ["cluster_id", "year", "prov_code"])
    share_long = melt(shares, {
        "province_output_share": (safe_div(_.output, _.prov_output), _.n, safe_div(_.output_max, _.output)),
    })
    return stack(long, share_long)


@indicator_group("scale", ids=("output_value", "revenue", "n_above_size", "employment", "province_output_share"),
                 reads=("totals",))
def scale_group(tables, opts):
    return scale_indicators(tables["totals"])
