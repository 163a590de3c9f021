"""Orchestration: the full indicator catalogue as one long ibis expression, the results table,
and strength flags from the store.

:func:`compute_indicators` is pure (an ibis expression over the store's tables).
:func:`write_indicator_results` is the one function here that writes: it replaces the rows of
``indicator_results`` for the keys it computed, in one transaction.
"""

from __future__ import annotations

import datetime as dt

import ibis
from ibis import _

from .base import stack, LONG_COLUMNS, NATION, Options, at_levels, cluster_firm_years, firm_years, reference_area
from .base import reference_divisions, region_totals
from .catalogue import load_catalogue
from .chain import coverage_indicator, moved_out_indicator, purchase_indicators, segment_suppliers
from .concentration import concentration_indicators, eg_indicator
from .growth import growth_indicators
from .innovation import cluster_fields, innovation_indicators, patents_enriched
from .leading import driving_power, leading_indicators, rank_leaders
from .openness import openness_indicators
from .quality import quality_indicators
from .scale import cluster_totals, scale_indicators
from .specialisation import krugman_indicator, specialisation_indicators
from .strength import calc_cluster_strength


def indicator_inputs(con, opts: Options = Options()) -> dict[str, ibis.Table]:
    """The shared inputs of all indicator groups (callers may ``.cache()`` them for speed)."""
    return {
        "fy": cluster_firm_years(con, opts.levels),
        "fy_all": at_levels(firm_years(con), opts.levels),
        "regions": region_totals(con, opts.levels),
        "reference": reference_area(con, opts),
        "ref_div": reference_divisions(con, opts),
        "transactions": con.table("transactions"),
        "patents": patents_enriched(con),
        "fields": cluster_fields(con),
        "trademarks": con.table("trademarks"),
        "firm_nodes": con.table("firm_chain_nodes"),
        "nodes": con.table("chain_nodes"),
    }


def compute_indicators(con, opts: Options | None = None, inputs: dict | None = None,
                       indicators=None) -> ibis.Table:
    """Every indicator of the catalogue per cluster × region × year, long.

    Parameters
    ----------
    con : ibis backend
        The store.
    opts : Options, optional
        Leaders ``k``, CAGR window, reference region, levels (:class:`jiqun.metrics.base.Options`).
    inputs : dict, optional
        Precomputed :func:`indicator_inputs` (e.g. cached as temporary tables).
    indicators : iterable of str, optional
        Keep only these indicator ids.

    Returns
    -------
    ibis.Table
        ``cluster_id, region_code, year, indicator, value, n_firms, top_firm_share``.
    """
    opts = opts or Options()
    x = inputs or indicator_inputs(con, opts)
    totals = cluster_totals(x["fy"])
    ranked = rank_leaders(x["fy"], opts.leaders_k)
    seg = segment_suppliers(x["fy_all"], x["firm_nodes"], x["nodes"])
    parts = [
        scale_indicators(totals),
        growth_indicators(totals, x["reference"], opts.cagr_window),
        specialisation_indicators(totals, x["regions"], x["reference"]),
        krugman_indicator(x["fy_all"], x["ref_div"], x["regions"], x["reference"]),
        concentration_indicators(x["fy"]),
        eg_indicator(x["fy"], x["regions"]) if "city" in opts.levels else None,
        leading_indicators(ranked),
        driving_power(ranked, x["transactions"], opts.levels),
        innovation_indicators(x["fy"], x["patents"], x["fields"], opts.levels),
        openness_indicators(x["fy"], x["trademarks"]),
        purchase_indicators(x["fy"], x["transactions"]),
        coverage_indicator(x["fy"], seg, x["nodes"]),
        moved_out_indicator(x["fy"], x["transactions"]),
        quality_indicators(x["fy"]),
    ]
    out = stack(*[p.select(*LONG_COLUMNS) for p in parts if p is not None])
    out = out.mutate(year=_.year.cast("int64"))
    if indicators is not None:
        out = out.filter(_.indicator.isin(list(indicators)))
    return out


def data_vintage(con) -> str:
    """The data vintage behind the results: declared vintages and the last load id (``loads``)."""
    loads = con.table("loads").execute()
    if loads.empty:
        return "no loads"
    vintages = sorted({v for v in loads["vintage"].dropna()})
    label = "; ".join(vintages) if vintages else "undeclared vintage"
    return f"{label} (loads 1-{int(loads['load_id'].max())}, last {loads['loaded_at'].max():%Y-%m-%d %H:%M})"


def write_indicator_results(con, opts: Options | None = None, cache: bool = True, indicators=None) -> int:
    """Compute the catalogue and store it in ``indicator_results``, replacing the rows with the same
    (cluster_id, region_code, year, indicator) in one transaction. Returns the rows written."""
    opts = opts or Options()
    inputs = indicator_inputs(con, opts)
    cached = []
    try:
        if cache:  # materialise the shared inputs once as temporary tables
            for k in ("fy", "fy_all", "patents"):
                name = f"_jiqun_input_{k}"
                sql = ibis.to_sql(inputs[k], dialect="duckdb")
                con.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}").fetchall()
                cached.append(name)
                inputs[k] = con.table(name)
        table = compute_indicators(con, opts, inputs, indicators).to_pyarrow()
    finally:
        for name in cached:
            con.con.execute(f"DROP TABLE IF EXISTS temp.{name}").fetchall()
    import pyarrow as pa

    n = table.num_rows
    table = table.append_column("vintage", pa.array([data_vintage(con)] * n, pa.string()))
    table = table.append_column("computed_at", pa.array([dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)] * n,
                                                        pa.timestamp("us")))
    db = con.con
    db.register("_jiqun_new_results", table)
    try:
        db.execute("BEGIN TRANSACTION")
        try:
            db.execute("DELETE FROM indicator_results r USING _jiqun_new_results n WHERE r.cluster_id = n.cluster_id "
                       "AND r.region_code = n.region_code AND r.year = n.year AND r.indicator = n.indicator")
            db.execute("INSERT INTO indicator_results SELECT cluster_id, region_code, year, indicator, value, "
                       "n_firms, top_firm_share, vintage, computed_at FROM _jiqun_new_results")
            db.execute("COMMIT")
        except Exception:
            db.execute("ROLLBACK")
            raise
    finally:
        db.unregister("_jiqun_new_results")
    return n


def catalogue_ids() -> list[str]:
    return list(load_catalogue())


def store_strength(con, opts: Options | None = None) -> ibis.Table:
    """US Cluster Mapping flags and ECO stars for the cities of the store.

    City × cluster × year employment and establishments (firms with accounts) are aggregated
    from firm data; where the store has no firm-years, ``regional_employment`` cluster rows of
    the cities are used. The reference is the nation's cluster employment (regional_employment,
    region 100000) when present, else the sum over the cities. Returns
    :func:`jiqun.metrics.calc_cluster_strength` columns.
    """
    opts = opts or Options()
    fy = cluster_firm_years(con, ("city",))
    from_firms = fy.group_by(region=_.region_code, cluster=_.cluster_id, year=_.year).aggregate(
        employment=_.employment.sum(), establishments=_.uscc.nunique())
    re = con.table("regional_employment").filter(_.classification == "cluster")
    from_stats = re.filter((_.region_code != opts.reference_region) & (_.region_code.substr(4, 2) == "00")
                           & (_.region_code.substr(2, 4) != "0000")).select(
        region=_.region_code, cluster=_.sector_code, year=_.year.cast("int64"), employment=_.employment,
        establishments=_.establishments)
    has_firms = con.table("firm_years").count() > 0
    regional = stack(from_firms.mutate(employment=_.employment.cast("float64"),
                                            establishments=_.establishments.cast("int64")).filter(has_firms),
                          from_stats.mutate(establishments=_.establishments.cast("int64")).filter(~has_firms))
    nat = re.filter(_.region_code == opts.reference_region).select(
        cluster=_.sector_code, year=_.year.cast("int64"), employment=_.employment)
    has_nat = nat.count() > 0
    if has_nat.execute():
        return calc_cluster_strength(regional, nat)
    return calc_cluster_strength(regional)


__all__ = ["compute_indicators", "write_indicator_results", "indicator_inputs", "store_strength", "data_vintage",
           "NATION"]
