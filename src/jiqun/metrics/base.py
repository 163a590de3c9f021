"""Shared inputs of the indicator groups: cluster firm-years at several geographic levels,
regional totals, the reference area, and the wide → long reshaping of results.

Everything is an ibis expression (no I/O). Symbols used across :mod:`jiqun.metrics`
-------------------------------------------------------------------------------
c        a cluster; r a region (a prefecture city or the province); t a year
i        a firm (legal entity; used as the establishment where plant data are absent)
x_ict    a firm's value (revenue, output, employment …) in cluster c, region r, year t
X_crt    Σ_i x_ict, the cluster total in region r
e_rc     employment of cluster c in region r;  e_r  all firms' employment in region r
e_c, e   the same for the reference area (nation, or the province when no national rows)
n_firms  distinct firms behind a value
top_firm_share  largest single firm's share of the sum the value is built from
                (for a ratio: of the numerator's sum); null for counts of firms

Geographic levels
-----------------
Each firm-year row is repeated once per level with ``region_code`` set to the firm's
city (first 4 digits + '00') or province (first 2 digits + '0000'), so every indicator
is one ``group_by(cluster_id, region_code, year)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import pyarrow as pa
from ibis import _

from .. import marts
from ..schema.vocab import ANALYSED_REGION_LEVELS, NATION_CODE

KEYS = ("cluster_id", "region_code", "year")
LONG_COLUMNS = ("cluster_id", "region_code", "year", "indicator", "value", "n_firms", "top_firm_share")
#: The engine's results as Arrow types, the same on every backend.
LONG_SCHEMA = pa.schema([("cluster_id", pa.string()), ("region_code", pa.string()), ("year", pa.int64()),
                         ("indicator", pa.string()), ("value", pa.float64()), ("n_firms", pa.int64()),
                         ("top_firm_share", pa.float64())])
ALL = "all"  # cluster_id of whole-economy values (e.g. Krugman index)


def province_code(region_code):
    """Province-level GB/T 2260 code of any code: first 2 digits + '0000'."""
    return region_code.substr(0, 2) + "0000"


def level_code(region_code, level: str):
    if level == "city":
        return marts.city_code(region_code)
    if level == "province":
        return province_code(region_code)
    raise ValueError(f"unknown level {level!r}; use one of {ANALYSED_REGION_LEVELS}")


@dataclass(frozen=True)
class Options:
    """Choices behind the indicators (all documented in docs/indicators.md).

    Attributes
    ----------
    leaders_k : int
        Leading firms (龙头企业) = the top ``leaders_k`` firms by revenue per cluster × region × year.
    cagr_window : int
        Years W of the compound annual growth rate.
    reference_region : str
        Region code of the reference area for LQ, shift-share and national shares; its rows
        come from ``regional_employment``. Where the store has none, the province (computed
        from firm data) is the reference.
    levels : tuple of str
        Geographic levels of the results ("city", "province").
    """

    leaders_k: int = 10
    cagr_window: int = 5
    reference_region: str = NATION_CODE
    levels: tuple[str, ...] = ANALYSED_REGION_LEVELS


def at_levels(table: ibis.Table, levels=ANALYSED_REGION_LEVELS, column: str = "firm_region") -> ibis.Table:
    """Repeat each row once per level with ``region_code`` and ``level`` set."""
    parts = [table.mutate(region_code=level_code(table[column], lv), level=ibis.literal(lv)) for lv in levels]
    return stack(*parts) if len(parts) > 1 else parts[0]


def firm_profile(con) -> ibis.Table:
    """Firms with their attributes (status is current; it is applied to every year)."""
    return con.table("firms").select(
        "uscc", firm_region=_.region_code, division=_.industry_code.substr(0, 2), ownership=_.ownership,
        is_branch=_.is_branch.fill_null(False), listed=_.listed.fill_null(False),
        srdi_level=_.srdi_level.fill_null("none"), single_champion=_.single_champion.fill_null(False))


def firm_years(con) -> ibis.Table:
    """Firm-year facts with the firm's profile (one row per firm × year)."""
    fy = con.table("firm_years").select(
        "uscc", "year", revenue=_.revenue_yuan.cast("float64"), output=_.output_value_yuan.cast("float64"),
        employment=_.employment.cast("float64"), rd=_.rd_expenditure_yuan.cast("float64"),
        exports=_.exports_yuan.cast("float64"))
    return fy.join(firm_profile(con), "uscc")


def cluster_firm_years(con, levels=ANALYSED_REGION_LEVELS) -> ibis.Table:
    """One row per cluster × firm × year × level: the base of the cluster indicators."""
    membership = marts.firm_clusters(con).select("uscc", "cluster_id")
    return at_levels(firm_years(con).join(membership, "uscc"), levels)


def region_totals(con, levels=ANALYSED_REGION_LEVELS) -> ibis.Table:
    """All firms' employment and output per region × year (e_r)."""
    return region_totals_of(firm_years(con), levels)


def region_totals_of(fy: ibis.Table, levels=ANALYSED_REGION_LEVELS) -> ibis.Table:
    """:func:`region_totals` from all firms' firm-years (one row per firm × year with ``firm_region``,
    e.g. a materialised copy): ``region_code, level, year, e_r, q_r, n_r, max_r``.

    Summed per firm region (county) first, then per level: the sums, count and max roll up exactly,
    and the firm-years are not repeated once per level."""
    county = fy.group_by("firm_region", "year").aggregate(
        e_r=_.employment.sum(), q_r=_.output.sum(), n_r=_.count(), max_r=_.employment.max())
    return at_levels(county, levels).group_by("region_code", "level", "year").aggregate(
        e_r=_.e_r.sum(), q_r=_.q_r.sum(), n_r=_.n_r.sum(), max_r=_.max_r.max())


def region_division_employment(fy: ibis.Table, levels=ANALYSED_REGION_LEVELS) -> ibis.Table:
    """All firms' employment per region × year × division (``region_code, year, division, e_ri``) from
    their firm-years, summed per firm region (county) first, then per level."""
    county = fy.group_by("firm_region", "year", "division").aggregate(e_ri=_.employment.sum())
    return at_levels(county, levels).group_by("region_code", "year", "division").aggregate(e_ri=_.e_ri.sum())


def reference_rows(con, opts: Options = Options()) -> ibis.Table:
    """The ``regional_employment`` rows of ``opts.reference_region``."""
    return con.table("regional_employment").filter(_.region_code == opts.reference_region)


def has_reference_rows(con, opts: Options = Options()) -> bool:
    """Whether ``regional_employment`` has rows of ``opts.reference_region`` (runs a count)."""
    return bool(reference_rows(con, opts).count().execute())


def reference_area(con, opts: Options = Options(), national_rows: bool | None = None) -> ibis.Table:
    """Reference area per cluster × year: ``cluster_id, year, e_c, q_c`` with cluster_id ``'all'``
    for the total (e, q), and ``reference_region``.

    From ``regional_employment`` rows of ``opts.reference_region`` (cluster rows give e_c and
    q_c; the total is the sum of its GB/T 4754 division rows, i.e. 2-digit codes). Where the
    store has no rows for that region, the province of the firm data (from firms) is used.
    ``national_rows``: whether such rows exist, when the caller knows (:func:`has_reference_rows`);
    otherwise the expression decides, at the cost of computing both branches.
    """
    stats = reference_rows(con, opts)
    clusters = stats.filter(_.classification == "cluster").group_by(cluster_id=_.sector_code, year=_.year).aggregate(
        e_c=_.employment.sum(), q_c=_.output_value_yuan.sum())
    divisions = stats.filter((_.classification == "industry") & (_.sector_code.length() == 2))
    total = divisions.group_by("year").aggregate(e_c=_.employment.sum(), q_c=_.output_value_yuan.sum())
    national = stack(clusters, total.select(cluster_id=ibis.literal(ALL), year=_.year, e_c=_.e_c, q_c=_.q_c))
    national = national.mutate(reference_region=ibis.literal(opts.reference_region))

    fy = firm_years(con).mutate(region_code=province_code(_.firm_region))
    membership = marts.firm_clusters(con).select("uscc", "cluster_id")
    prov_c = fy.join(membership, "uscc").group_by("cluster_id", "region_code", "year").aggregate(
        e_c=_.employment.sum(), q_c=_.output.sum())
    prov_all = fy.group_by("region_code", "year").aggregate(e_c=_.employment.sum(), q_c=_.output.sum())
    province = stack(
        prov_c.select("cluster_id", "year", "e_c", "q_c", reference_region=_.region_code),
        prov_all.select(cluster_id=ibis.literal(ALL), year=_.year, e_c=_.e_c, q_c=_.q_c,
                        reference_region=_.region_code))
    if national_rows is not None:
        return national if national_rows else province
    has_national = stats.count() > 0
    return stack(national.filter(has_national), province.filter(~has_national))


def reference_divisions(con, opts: Options = Options(), national_rows: bool | None = None) -> ibis.Table:
    """Reference employment per GB/T 4754 division × year: ``division, year, e_i`` (Krugman index)."""
    stats = con.table("regional_employment").filter(
        (_.region_code == opts.reference_region) & (_.classification == "industry") & (_.sector_code.length() == 2))
    national = stats.group_by(division=_.sector_code, year=_.year).aggregate(e_i=_.employment.sum())
    fy = firm_years(con)
    province = fy.group_by("division", "year").aggregate(e_i=_.employment.sum())
    if national_rows is not None:
        return national if national_rows else province
    has_national = stats.count() > 0
    return stack(national.filter(has_national), province.filter(~has_national))


def stack(*tables: ibis.Table) -> ibis.Table:
    """UNION ALL of tables with the same columns (types made nullable, columns in the first's order)."""
    cols = tables[0].columns
    schema = tables[0].schema()
    fixed = [t.select(*[t[c].cast(schema[c].copy(nullable=True)).name(c) for c in cols]) for t in tables]
    return ibis.union(*fixed) if len(fixed) > 1 else fixed[0]


def safe_div(num, den):
    """num / den, null where den is null or 0."""
    return ibis.ifelse(den != 0, num / den, ibis.null("float64"))


def melt(wide: ibis.Table, specs: dict[str, tuple], keys=KEYS) -> ibis.Table:
    """Wide → long. ``specs``: indicator id → (value, n_firms, top_firm_share) as deferred
    expressions on ``wide`` (``None`` for a null column). Null and NaN values are dropped."""
    parts = []
    for ind, (value, n, top) in specs.items():
        (v,) = wide.bind(value)
        nn = wide.bind(n)[0].cast("int64") if n is not None else ibis.null("int64")
        tt = wide.bind(top)[0].cast("float64") if top is not None else ibis.null("float64")
        parts.append(wide.select(*keys, indicator=ibis.literal(ind), value=v.cast("float64"), n_firms=nn,
                                 top_firm_share=tt))
    out = stack(*parts)
    return out.filter(out.value.notnull() & ~out.value.isnan())
