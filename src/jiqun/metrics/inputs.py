"""The engine's inputs, portable definitions (ibis expressions over the store's tables).

Source inputs read the store; derived inputs are built from other inputs, so that an executor that
supplies a faster table under a name (:mod:`jiqun.metrics.executors`) gets every input derived
from it built on that table. Each builder here is the reference an accelerated twin is tested
against.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
from ibis import _

from .. import marts
from .base import (at_levels, cluster_firm_years, firm_years, reference_area, reference_divisions,
                   region_division_employment, region_totals)
from .chain import buyer_purchases, located_purchases, seller_years, segment_suppliers
from .innovation import cluster_fields, patents_enriched, with_patent_counts
from .leading import rank_leaders
from .openness import with_trademark_counts
from .registry import derived_input, source_input
from .scale import cluster_totals


@dataclass(frozen=True)
class StoreFacts:
    """What an executor settled about the store before building expressions.

    ``national_rows``: whether ``regional_employment`` has rows of the reference region (None: the
    expressions decide, at the cost of computing both branches)."""

    national_rows: bool | None = None


# --- read from the store -------------------------------------------------------------------------

@source_input("fy")
def cluster_firm_years_input(con, opts, facts):
    """Cluster firm-years at the levels of ``opts`` (:func:`jiqun.metrics.base.cluster_firm_years`)."""
    return cluster_firm_years(con, opts.levels)


@source_input("fy_all")
def all_firm_years_input(con, opts, facts):
    """All firms' firm-years at the levels (chain-segment coverage counts every local supplier)."""
    return at_levels(firm_years(con), opts.levels)


@source_input("regions")
def region_totals_input(con, opts, facts):
    return region_totals(con, opts.levels)


@source_input("region_div")
def region_division_input(con, opts, facts):
    return region_division_employment(firm_years(con), opts.levels)


@source_input("reference")
def reference_input(con, opts, facts):
    return reference_area(con, opts, facts.national_rows)


@source_input("ref_div")
def reference_divisions_input(con, opts, facts):
    return reference_divisions(con, opts, facts.national_rows)


@source_input("transactions")
def transactions_input(con, opts, facts):
    return con.table("transactions")


@source_input("firms")
def cluster_firms(con, opts=None, facts=None) -> ibis.Table:
    """``uscc, firm_region`` of the firms that belong to at least one cluster (the only buyers whose
    purchases reach a cluster indicator; dropping the others early halves the transactions)."""
    members = marts.firm_clusters(con).select("uscc")
    return con.table("firms").select("uscc", firm_region=_.region_code).semi_join(members, "uscc")


@source_input("patents")
def patents_input(con, opts, facts):
    return patents_enriched(con)


@source_input("fields")
def cluster_fields_input(con, opts, facts):
    return cluster_fields(con)


@source_input("trademarks")
def trademarks_input(con, opts, facts):
    return con.table("trademarks")


@source_input("firm_nodes")
def firm_nodes_input(con, opts, facts):
    return con.table("firm_chain_nodes")


@source_input("nodes")
def chain_nodes_input(con, opts, facts):
    return con.table("chain_nodes")


# --- derived ---------------------------------------------------------------------------------------

@derived_input("ranked", reads=("fy",))
def ranked_input(tables, opts):
    return rank_leaders(tables["fy"], opts.leaders_k)


@derived_input("totals", reads=("fy",))
def totals_input(tables, opts):
    return cluster_totals(tables["fy"])


@derived_input("sellers", reads=("transactions",))
def sellers_input(tables, opts):
    return seller_years(tables["transactions"])


@derived_input("located", reads=("transactions", "firms"))
def located_input(tables, opts):
    return located_purchases(tables["transactions"], tables["firms"])


@derived_input("buyer_purchases", reads=("located",))
def buyer_purchases_input(tables, opts):
    return buyer_purchases(tables["located"])


@derived_input("fy_purchases", reads=("fy", "buyer_purchases"))
def firm_year_purchases(tables, opts):
    """Cluster firm-years that made purchases, with their buyer-year's ``total, city, prov, imp``."""
    per_buyer = tables["buyer_purchases"].select("total", "city", "prov", "imp", uscc=_.buyer_uscc, year=_.year)
    return tables["fy"].join(per_buyer, ["uscc", "year"])


@derived_input("fy_patents", reads=("fy", "patents"))
def firm_year_patents(tables, opts):
    """Cluster firm-years with their invention applications, PCT applications and grants."""
    return with_patent_counts(tables["fy"], tables["patents"])


@derived_input("fy_trademarks", reads=("fy", "trademarks"))
def firm_year_trademarks(tables, opts):
    """Cluster firm-years with their international trademark registrations."""
    return with_trademark_counts(tables["fy"], tables["trademarks"])


@derived_input("segment_suppliers", reads=("fy_all", "firm_nodes", "nodes"))
def segment_suppliers_input(tables, opts):
    return segment_suppliers(tables["fy_all"], tables["firm_nodes"], tables["nodes"])
