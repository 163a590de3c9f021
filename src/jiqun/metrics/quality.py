"""Firm quality (企业质量). Statuses are the firm's current ones (``firms``), applied to every year.

Formulas
--------
n_srdi                 #{i : 专精特新 at provincial or national (小巨人) level}
n_little_giants        #{i : 专精特新"小巨人"}
n_single_champions     #{i : 制造业单项冠军}
n_listed               #{i : listed}
foreign_output_share   Σ_{i foreign or HK/Macao/Taiwan-invested} output_i / Σ_i output_i
"""

from __future__ import annotations

from ibis import _

from .base import KEYS, melt, safe_div
from .registry import indicator_group


def quality_indicators(fy):
    """Long firm-quality indicators from cluster firm-years."""
    foreign = _.ownership.isin(["foreign", "hmt"]).fill_null(False)
    wide = fy.group_by(*KEYS).aggregate(
        n=_.count(),  # one row per firm
        srdi=_.srdi_level.isin(["provincial", "little_giant"]).cast("int64").sum(),
        giants=(_.srdi_level == "little_giant").cast("int64").sum(),
        champions=_.single_champion.cast("int64").sum(), listed=_.listed.cast("int64").sum(),
        output=_.output.sum(), f_output=_.output.sum(where=foreign), f_max=_.output.max(where=foreign))
    return melt(wide, {
        "n_srdi": (_.srdi, _.n, None),
        "n_little_giants": (_.giants, _.n, None),
        "n_single_champions": (_.champions, _.n, None),
        "n_listed": (_.listed, _.n, None),
        "foreign_output_share": (safe_div(_.f_output.fill_null(0), _.output), _.n, safe_div(_.f_max, _.f_output)),
    })


@indicator_group("quality", ids=("n_srdi", "n_little_giants", "n_single_champions", "n_listed",
                                 "foreign_output_share"), reads=("fy",))
def quality_group(tables, opts):
    return quality_indicators(tables["fy"])
