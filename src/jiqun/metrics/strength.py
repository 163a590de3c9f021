"""Cluster strength: location quotients, US Cluster Mapping flags and European Cluster Observatory stars.

Symbols
-------
e_rc  employment of cluster c in region r
e_r   employment of region r over all clusters of the same kind (traded or local)
e_c   employment of cluster c in the reference area
e     employment of the reference area over all clusters of the same kind

Definitions (DESIGN.md, "Methods and their reference definitions")
-------------------------------------------------------------------
lq               (e_rc / e_r) / (e_c / e)
region_share     e_rc / e_r   — the cluster's share of the region's employment
cluster_share    e_rc / e_c   — the region's share of the cluster's reference employment

Per cluster and year, over the regions with employment > 0, percentiles are
linear-interpolated (numpy's default, DuckDB's ``quantile_cont``):

strong       lq ≥ P75(lq) and lq ≥ 1 and employment > P25(employment) and establishments > P25(establishments)
strong10     the same with P90(lq)
significant  lq > P50(lq) and both size tests
qualifying   lq > P25(lq) and both size tests
star_size            employment ≥ P90(employment)  (top 10% of the category)
star_specialisation  lq ≥ 2
star_focus           region_share ≥ P90(region_share)

Regions with zero employment in a cluster get lq 0 and no flag or star.
"""

from __future__ import annotations

import ibis
import pandas as pd
from ibis import _

#: The keys of strength-flag tables (regional statistics naming, unlike the long indicator tables).
STRENGTH_KEYS = ("region", "cluster", "year")
OUTPUT_COLUMNS = (
    "region", "cluster", "year", "employment", "establishments", "traded", "lq", "region_share", "cluster_share",
    "strong", "strong10", "significant", "qualifying", "star_size", "star_specialisation", "star_focus",
)


def _as_ibis(data, name: str, required: tuple[str, ...]) -> tuple[ibis.Table, bool]:
    """Wrap pandas/polars/pyarrow data (or pass an ibis table); say whether it was in memory."""
    if isinstance(data, ibis.Table):
        table, in_memory = data, False
    else:
        table, in_memory = ibis.memtable(data), True
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise ValueError(f"{name} lacks column(s) {', '.join(missing)}; it has {', '.join(table.columns)}")
    return table, in_memory


def calc_cluster_strength(regional: ibis.Table, reference: ibis.Table | None = None) -> ibis.Table:
    """Location quotients, strength flags and stars as an ibis expression (see module docstring).

    ``region``, ``cluster`` and ``year`` come back with the types they were given (computed as
    string, string, int64 inside), so the result merges with the input.
    """
    key_types = {key: regional.schema()[key] for key in STRENGTH_KEYS}
    if "traded" not in regional.columns:
        regional = regional.mutate(traded=ibis.literal(True))
    base = regional.select(
        region=_.region.cast("string"), cluster=_.cluster.cast("string"), year=_.year.cast("int64"),
        employment=_.employment.cast("float64"), establishments=_.establishments.cast("float64"),
        traded=_.traded.fill_null(True).cast("boolean"),
    )
    kinds = base.group_by("cluster").aggregate(traded=_.traded.max())

    region_totals = base.group_by("region", "year", "traded").aggregate(e_r=_.employment.sum())
    if reference is None:
        ref = base.group_by("cluster", "year").aggregate(e_c=_.employment.sum())
    else:
        ref = reference.select(cluster=_.cluster.cast("string"), year=_.year.cast("int64"),
                               e_c=_.employment.cast("float64"))
        ref = ref.group_by("cluster", "year").aggregate(e_c=_.e_c.sum())
    ref = ref.join(kinds, "cluster")
    ref_totals = ref.group_by("year", "traded").aggregate(e=_.e_c.sum())
    ref = ref.join(ref_totals, ["year", "traded"]).select("cluster", "year", "e_c", "e")

    with_region = base.join(region_totals, ["region", "year", "traded"])
    joined = with_region.left_join(ref, ["cluster", "year"]).select(
        *with_region.columns, e_c=ref.e_c, e=ref.e)
    measured = joined.mutate(
        region_share=ibis.ifelse(_.e_r > 0, _.employment / _.e_r, 0.0),
        cluster_share=ibis.ifelse(_.e_c > 0, _.employment / _.e_c, ibis.null("float64")),
        lq=ibis.ifelse((_.e_r > 0) & (_.e_c > 0) & (_.e > 0),
                       (_.employment / _.e_r) / (_.e_c / _.e), ibis.null("float64")),
    )

    positive = measured.filter(_.employment > 0)
    cuts = positive.group_by("cluster", "year").aggregate(
        lq_p25=_.lq.quantile(0.25), lq_p50=_.lq.quantile(0.5), lq_p75=_.lq.quantile(0.75),
        lq_p90=_.lq.quantile(0.9), emp_p25=_.employment.quantile(0.25), emp_p90=_.employment.quantile(0.9),
        est_p25=_.establishments.quantile(0.25), share_p90=_.region_share.quantile(0.9),
    )
    flagged = measured.left_join(cuts, ["cluster", "year"]).select(
        *measured.columns, *[c for c in cuts.columns if c not in ("cluster", "year")])
    active = (_.employment > 0).fill_null(False)
    size_ok = active & (_.employment > _.emp_p25) & (_.establishments > _.est_p25)

    def flag(condition):
        return (active & condition).fill_null(False)

    out = flagged.mutate(
        lq=ibis.ifelse(_.employment > 0, _.lq, 0.0),
        strong=flag(size_ok & (_.lq >= _.lq_p75) & (_.lq >= 1)),
        strong10=flag(size_ok & (_.lq >= _.lq_p90) & (_.lq >= 1)),
        significant=flag(size_ok & (_.lq > _.lq_p50)),
        qualifying=flag(size_ok & (_.lq > _.lq_p25)),
        star_size=flag(_.employment >= _.emp_p90),
        star_specialisation=flag(_.lq >= 2),
        star_focus=flag(_.region_share >= _.share_p90),
    )
    out = out.select(*OUTPUT_COLUMNS)
    return out.mutate(**{key: out[key].cast(kind) for key, kind in key_types.items()}).order_by(
        "cluster", "year", "region")


def cluster_strength(regional, reference=None):
    """Location quotients, US Cluster Mapping strength flags and European Cluster Observatory stars.

    Parameters
    ----------
    regional : pandas.DataFrame, polars.DataFrame, pyarrow.Table or ibis.Table
        Columns ``region``, ``cluster``, ``year``, ``employment``, ``establishments`` and
        optionally boolean ``traded`` (default true). One row per region × cluster × year.
    reference : same kinds, optional
        Columns ``cluster``, ``year``, ``employment`` of the reference area (e.g. the
        nation). Default: the sum over the regions in ``regional``. A traded cluster's
        LQ uses traded totals as its base (e_r, e); a local cluster's uses local totals.

    Returns
    -------
    pandas.DataFrame or ibis.Table
        A DataFrame for in-memory input, an ibis expression for ibis input; one row per
        region × cluster × year with ``lq``, ``region_share`` (e_rc/e_r), ``cluster_share``
        (e_rc/e_c), booleans ``strong``, ``strong10``, ``significant``, ``qualifying``
        and the stars ``star_size``, ``star_specialisation``, ``star_focus``. Rules: module
        docstring of :mod:`jiqun.metrics.strength`.

    Examples
    --------
    >>> import pandas as pd
    >>> regional = pd.DataFrame({"region": ["a", "b"], "cluster": ["x", "x"], "year": [2020, 2020],
    ...                          "employment": [10, 30], "establishments": [1, 3]})
    >>> cluster_strength(regional)["lq"].tolist()
    [1.0, 1.0]
    """
    table, in_memory = _as_ibis(regional, "regional", ("region", "cluster", "year", "employment", "establishments"))
    ref = None
    if reference is not None:
        ref, ref_in_memory = _as_ibis(reference, "reference", ("cluster", "year", "employment"))
        in_memory = in_memory and ref_in_memory
    expr = calc_cluster_strength(table, ref)
    if not in_memory:
        return expr
    frame = expr.to_pandas().reset_index(drop=True)
    if isinstance(regional, pd.DataFrame):  # exact pandas dtypes of the keys (e.g. int32, category)
        frame = frame.astype({key: regional[key].dtype for key in STRENGTH_KEYS})
    return frame
