"""Openness and brand (品牌国际影响力).

Formulas
--------
export_share                 Σ exports_i / Σ revenue_i        (出口交货值 / 营业收入)
export_output_share          Σ exports_i / Σ output_i         (出口交货值 / 工业总产值)
intl_trademarks              international trademark registrations (Madrid or foreign national
                             offices) of the cluster's firms registered in year t
firms_with_intl_trademarks   #{i : i holds ≥ 1 international registration dated in or before t}
"""

from __future__ import annotations

import ibis
from ibis import _

from .base import KEYS, melt, safe_div
from .registry import indicator_group


def with_trademark_counts(fy: ibis.Table, trademarks: ibis.Table) -> ibis.Table:
    """``fy`` with its firm-years' international registrations that year (``tm``, 0 where none) and
    whether the firm holds one dated in or before the year (``holds``)."""
    tm = trademarks.filter(_.owner_uscc.notnull()).mutate(reg_year=_.registration_date.year().cast("int64"))
    per_year = tm.group_by(uscc=_.owner_uscc, year=_.reg_year).aggregate(tm=_.count())
    first = tm.group_by(uscc=_.owner_uscc).aggregate(first_year=_.reg_year.min())
    base = fy.left_join(per_year, ["uscc", "year"]).select(*fy.columns, tm=_.tm.fill_null(0))
    return base.left_join(first, "uscc").select(*base.columns, holds=(_.first_year <= _.year).fill_null(False))


def openness_indicators(fy_trademarks: ibis.Table) -> ibis.Table:
    """Long openness indicators from cluster firm-years with their trademark counts
    (:func:`with_trademark_counts`: ``cluster_id, region_code, year, exports, revenue, output, tm,
    holds``)."""
    wide = fy_trademarks.group_by(*KEYS).aggregate(
        n=_.count(), exports=_.exports.sum(), exports_max=_.exports.max(), revenue=_.revenue.sum(),
        output=_.output.sum(),
        tm=_.tm.sum(), tm_max=_.tm.max(), holders=_.holds.cast("int64").sum())
    return melt(wide, {
        "export_share": (safe_div(_.exports, _.revenue), _.n, safe_div(_.exports_max, _.exports)),
        "export_output_share": (safe_div(_.exports, _.output), _.n, safe_div(_.exports_max, _.exports)),
        "intl_trademarks": (_.tm, _.n, safe_div(_.tm_max, _.tm)),
        "firms_with_intl_trademarks": (_.holders, _.n, None),
    })


@indicator_group("openness", ids=("export_share", "export_output_share", "intl_trademarks",
                                  "firms_with_intl_trademarks"),
                 reads=("fy_trademarks",))
def openness_group(tables, opts):
    return openness_indicators(tables["fy_trademarks"])
