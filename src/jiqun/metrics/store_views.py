"""Strength flags and alerts of a store (the store's tables in, ibis tables out)."""

from __future__ import annotations

import ibis
from ibis import _

from .base import Options, at_levels, cluster_firm_years, firm_years, stack
from .chain import segment_suppliers
from .engine import compute_indicator_table
from .strength import calc_cluster_strength


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
    stats = con.table("regional_employment").filter(_.classification == "cluster")
    from_stats = stats.filter((_.region_code != opts.reference_region) & (_.region_code.substr(4, 2) == "00")
                           & (_.region_code.substr(2, 4) != "0000")).select(
        region=_.region_code, cluster=_.sector_code, year=_.year.cast("int64"), employment=_.employment,
        establishments=_.establishments)
    has_firms = con.table("firm_years").count() > 0
    regional = stack(from_firms.mutate(employment=_.employment.cast("float64"),
                                            establishments=_.establishments.cast("int64")).filter(has_firms),
                          from_stats.mutate(establishments=_.establishments.cast("int64")).filter(~has_firms))
    nat = stats.filter(_.region_code == opts.reference_region).select(
        cluster=_.sector_code, year=_.year.cast("int64"), employment=_.employment)
    has_nat = nat.count() > 0
    if has_nat.execute():
        return calc_cluster_strength(regional, nat)
    return calc_cluster_strength(regional)


def store_alerts(con, indicators: ibis.Table | None = None) -> ibis.Table:
    """Alerts of the store: every rule of ``alerts.yaml`` on ``indicators`` (default: the catalogue
    computed now by the production engine), with chain-segment suppliers from the store's firm data."""
    from .alerts import evaluate_alerts

    segments = segment_suppliers(at_levels(firm_years(con)), con.table("firm_chain_nodes"), con.table("chain_nodes"))
    if indicators is None:
        indicators = ibis.memtable(compute_indicator_table(con))
    return evaluate_alerts(indicators, segments=segments)
