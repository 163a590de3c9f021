"""Orchestration: the full indicator catalogue as one long ibis expression, the results table,
and strength flags from the store.

:func:`compute_indicators` is pure (an ibis expression over the store's tables).
:func:`write_indicator_results` is the one function here that writes: it replaces the rows of
``indicator_results`` for the keys it computed, in one transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import queue
import threading
import time

import ibis
from ibis import _

from .._duck import duckdb_connection, run
from ..store.keys import firm_keys_complete
from .cached import cluster_enum_values, driving_power_sql, enum_type, key_collisions, keyed_seller_years
from .cached import seller_key as _seller_key
from .cached import (MAX_MASK_CLUSTERS, MAX_MASK_YEARS, buyer_firms, buyer_years, in_account_years, levels_view,
                     ranked_firm_years_sql)
from .base import stack, LONG_COLUMNS, NATION, Options, at_levels, level_code, cluster_firm_years, firm_years
from .base import reference_area, reference_rows
from .base import reference_divisions, region_division_employment, region_totals, region_totals_of
from .. import marts
from .catalogue import load_catalogue
from .chain import buyer_purchases, coverage_indicator, located_purchases, moved_out_indicator, purchase_indicators
from .chain import seller_years
from .chain import segment_suppliers
from .concentration import concentration_indicators, eg_indicator
from .growth import growth_indicators
from .innovation import cluster_fields, innovation_indicators, patents_enriched, with_patent_counts
from .leading import driving_power, leading_indicators, rank_leaders
from .openness import openness_indicators, with_trademark_counts
from .quality import quality_indicators
from .scale import cluster_totals, scale_indicators
from .specialisation import krugman_indicator, specialisation_indicators
from .strength import calc_cluster_strength

log = logging.getLogger(__name__)


def indicator_inputs(con, opts: Options = Options(), national_rows: bool | None = None) -> dict[str, ibis.Table]:
    """The shared inputs of all indicator groups (callers may ``.cache()`` them for speed).

    Inputs derived from others (``ranked``, ``totals``, ``sellers``, ``buyer_purchases``,
    ``local_sales``) are added by :func:`derived_inputs` where absent, so that a caller who
    materialises ``fy`` gets them built on the materialised table."""
    return {
        "fy": cluster_firm_years(con, opts.levels),
        "fy_all": at_levels(firm_years(con), opts.levels),
        "regions": region_totals(con, opts.levels),
        "region_div": region_division_employment(firm_years(con), opts.levels),
        "reference": reference_area(con, opts, national_rows),
        "ref_div": reference_divisions(con, opts, national_rows),
        "transactions": con.table("transactions"),
        "firms": cluster_firms(con),
        "patents": patents_enriched(con),
        "fields": cluster_fields(con),
        "trademarks": con.table("trademarks"),
        "firm_nodes": con.table("firm_chain_nodes"),
        "nodes": con.table("chain_nodes"),
    }


def cluster_firms(con) -> ibis.Table:
    """``uscc, firm_region`` of the firms that belong to at least one cluster (the only buyers whose
    purchases reach a cluster indicator; dropping the others early halves the transactions)."""
    members = marts.firm_clusters(con).select("uscc")
    return con.table("firms").select("uscc", firm_region=_.region_code).semi_join(members, "uscc")


# Indicator groups: the indicators each produces, the inputs it reads, and how it is built.
# One group is one query; ``indicators=`` prunes whole groups before they are built.
GROUPS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "scale": (("output_value", "revenue", "n_above_size", "employment", "province_output_share"), ("totals",)),
    "growth": (("output_growth_yoy", "employment_growth_yoy", "output_cagr", "ss_total_change",
                "ss_reference_growth", "ss_industry_mix", "ss_local_competitiveness"), ("totals", "reference")),
    "specialisation": (("lq_employment", "lq_output", "national_output_share"),
                       ("totals", "regions", "reference")),
    "krugman": (("krugman_index",), ("region_div", "ref_div", "regions", "reference")),
    "concentration": (("hhi", "cr4", "cr10"), ("ranked",)),
    "ellison_glaeser": (("ellison_glaeser",), ("fy", "regions")),
    "leading": (("leader_output_share", "top_firm_output_share", "leader_branch_share"), ("ranked",)),
    "driving_power": (("leader_driving_power",), ("ranked", "located", "sellers")),
    "innovation": (("rd_intensity", "invention_apps_per_10k_emp", "invention_grants_per_10k_emp",
                    "invention_apps_per_100m_output", "invention_grants_per_100m_output", "pct_applications",
                    "national_patent_share", "rta_cluster_fields", "foreign_applicant_share"),
                   ("fy", "patents", "fields")),
    "openness": (("export_share", "intl_trademarks", "firms_with_intl_trademarks"), ("fy", "trademarks")),
    "purchases": (("local_supporting_rate_city", "local_supporting_rate_province", "import_share_purchases"),
                  ("fy", "buyer_purchases")),
    "coverage": (("chain_segment_coverage",), ("fy", "fy_all", "firm_nodes", "nodes")),
    "moved_out": (("suppliers_moved_out",), ("fy", "located", "sellers")),
    "quality": (("n_srdi", "n_little_giants", "n_single_champions", "n_listed", "foreign_output_share"), ("fy",)),
}
# Inputs built from other inputs (what they read).
DERIVED = {
    "ranked": ("fy",), "totals": ("fy",), "sellers": ("transactions",),
    "located": ("transactions", "firms"), "buyer_purchases": ("located", "transactions", "firms"),
}


def derived_inputs(x: dict, opts: Options) -> dict:
    """Add the derived inputs missing from ``x`` (in place; returns ``x``)."""
    x.setdefault("ranked", rank_leaders(x["fy"], opts.leaders_k))
    x.setdefault("totals", cluster_totals(x["fy"]))
    x.setdefault("sellers", seller_years(x["transactions"]))
    if "firms" in x:
        x.setdefault("located", located_purchases(x["transactions"], x["firms"]))
    if "located" in x:
        x.setdefault("buyer_purchases", buyer_purchases(x["located"]))
    return x


def _build(group: str, x: dict, opts: Options):
    if group == "scale":
        return scale_indicators(x["totals"])
    if group == "growth":
        return growth_indicators(x["totals"], x["reference"], opts.cagr_window)
    if group == "specialisation":
        return specialisation_indicators(x["totals"], x["regions"], x["reference"])
    if group == "krugman":
        return krugman_indicator(x["region_div"], x["ref_div"], x["regions"], x["reference"])
    if group == "concentration":
        return concentration_indicators(x["ranked"])
    if group == "ellison_glaeser":
        return eg_indicator(x["fy"], x["regions"]) if "city" in opts.levels else None
    if group == "leading":
        return leading_indicators(x["ranked"])
    if group == "driving_power":
        return driving_power(x["ranked"], x["located"], opts.levels, x["sellers"])
    if group == "innovation":
        return innovation_indicators(x["fy"], x["patents"], x["fields"], opts.levels, x.get("fy_patents"))
    if group == "openness":
        return openness_indicators(x["fy"], x["trademarks"], x.get("fy_trademarks"))
    if group == "purchases":
        if "fy_purchases" in x:  # cached: firm-years joined to their purchases at firm level
            return purchase_indicators(x["fy_purchases"], None)
        return purchase_indicators(x["fy"], x["buyer_purchases"])
    if group == "coverage":
        return coverage_indicator(x["fy"], segment_suppliers(x["fy_all"], x["firm_nodes"], x["nodes"]), x["nodes"])
    if group == "moved_out":
        return moved_out_indicator(x["fy"], x["located"], x["sellers"])
    if group == "quality":
        return quality_indicators(x["fy"])
    raise KeyError(group)


def selected_groups(indicators=None) -> list[str]:
    """The groups that produce at least one of ``indicators`` (all groups when None)."""
    if indicators is None:
        return list(GROUPS)
    wanted = set(indicators)
    return [g for g, (ids, _inputs) in GROUPS.items() if wanted & set(ids)]


def _prepared_inputs(con, opts: Options, inputs: dict | None) -> dict:
    """The inputs with every derived input added (reads table schemas from ``con``)."""
    x = derived_inputs(dict(inputs) if inputs is not None else indicator_inputs(con, opts), opts)
    if "buyer_purchases" not in x:  # inputs from a caller without the ``firms`` entry
        x["firms"] = cluster_firms(con)
        derived_inputs(x, opts)
    return x


def _iter_parts(x: dict, opts: Options, indicators=None):
    """Yield ``(group, table)`` for the groups needed for ``indicators``, building each when asked
    (pure: the expressions are built from ``x`` without touching the connection)."""
    wanted = None if indicators is None else list(indicators)
    for group in selected_groups(wanted):
        part = _build(group, x, opts)
        if part is None:
            continue
        part = part.select(*LONG_COLUMNS).mutate(year=_.year.cast("int64"))
        if wanted is not None and not set(GROUPS[group][0]) <= set(wanted):
            part = part.filter(_.indicator.isin(wanted))
        yield group, part


def indicator_parts(con, opts: Options | None = None, inputs: dict | None = None,
                    indicators=None) -> list[tuple[str, ibis.Table]]:
    """One long ibis expression per indicator group needed for ``indicators`` (all when None):
    ``[(group, table)]`` with :data:`jiqun.metrics.base.LONG_COLUMNS` and int64 years."""
    opts = opts or Options()
    return list(_iter_parts(_prepared_inputs(con, opts, inputs), opts, indicators))


def _ahead(items):
    """Iterate ``items`` in a worker thread, one item ahead of the caller.

    The groups' SQL is built and compiled (pure Python, ~2 s for the catalogue) while DuckDB runs
    the previous group's query with the GIL released. Errors of the worker are raised in the caller;
    when the caller stops early, the worker stops at its next hand-over."""
    results: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def hand_over(message) -> bool:
        while not stop.is_set():
            try:
                results.put(message, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def work():
        try:
            for item in items:
                if not hand_over((True, item)):
                    return
        except BaseException as error:  # raised in the caller
            hand_over((False, error))
            return
        hand_over((False, None))

    worker = threading.Thread(target=work, name="jiqun-compile", daemon=True)
    worker.start()
    try:
        while True:
            ok, item = results.get()
            if ok:
                yield item
            elif item is None:
                return
            else:
                raise item
    finally:
        stop.set()
        worker.join()


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
        Keep only these indicator ids (groups producing none of them are not built).

    Returns
    -------
    ibis.Table
        ``cluster_id, region_code, year, indicator, value, n_firms, top_firm_share``.
    """
    parts = [p for _g, p in indicator_parts(con, opts, inputs, indicators)]
    if not parts:  # no known indicator requested: an empty result with the right columns
        empty = indicator_parts(con, opts, inputs, ["n_listed"])[0][1]
        return empty.filter(ibis.literal(False))
    return stack(*parts)


def _needed_inputs(groups) -> set[str]:
    need = set()
    for g in groups:
        need |= set(GROUPS[g][1])
    for k in list(need):
        need |= set(DERIVED.get(k, ()))
    return need


def _materialise(con, expr: ibis.Table | str, name: str, cluster_enum: str | None = None) -> ibis.Table:
    """``CREATE TEMP TABLE name`` from an expression or SQL text (``cluster_id`` cast to
    ``cluster_enum`` when given)."""
    t0 = time.perf_counter()
    sql = expr if isinstance(expr, str) else ibis.to_sql(expr, dialect="duckdb")
    db = duckdb_connection(con)
    columns = [r[0] for r in run(db, f"DESCRIBE {sql}")] if isinstance(expr, str) else expr.columns
    if cluster_enum and "cluster_id" in columns:
        sql = f"SELECT * REPLACE (CAST(cluster_id AS {cluster_enum}) AS cluster_id) FROM ({sql})"
    run(db, f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
    log.debug("materialised %s in %.1f s", name, time.perf_counter() - t0)
    return con.table(name)


def _view(con, expr: ibis.Table, name: str) -> ibis.Table:
    """``CREATE TEMP VIEW name`` of an expression."""
    run(duckdb_connection(con), f"CREATE OR REPLACE TEMP VIEW {name} AS {ibis.to_sql(expr, dialect='duckdb')}")
    return con.table(name)


def _run(group: str, expr: ibis.Table):
    t0 = time.perf_counter()
    table = expr.to_pyarrow()
    log.debug("group %s: %d rows in %.1f s", group, table.num_rows, time.perf_counter() - t0)
    return table


def _run_sql(con, group: str, sql: str):
    t0 = time.perf_counter()
    table = duckdb_connection(con).sql(sql).to_arrow_table()
    log.debug("group %s: %d rows in %.1f s", group, table.num_rows, time.perf_counter() - t0)
    return table


def _rows(con, expr: ibis.Table) -> list[tuple]:
    """The rows of a (small) expression on the DuckDB store, as tuples (no pandas on the way)."""
    return run(duckdb_connection(con), ibis.to_sql(expr, dialect="duckdb"))


def _has_reference_rows(con, opts: Options) -> bool:
    """:func:`jiqun.metrics.base.has_reference_rows` on a DuckDB store, by SQL."""
    re = reference_rows(con, opts)
    return bool(_rows(con, re.aggregate(n=re.count()))[0][0])


def _firm_index(con) -> ibis.Table:
    """``uscc, fid``: a dense int64 id per USCC of ``firms``, patent applicants and trademark owners,
    numbered in USCC order, so that ordering by id breaks ties as ordering by USCC does."""
    keys = [con.table("firms").select("uscc"),
            con.table("patents").filter(_.applicant_uscc.notnull()).select(uscc=_.applicant_uscc),
            con.table("trademarks").filter(_.owner_uscc.notnull()).select(uscc=_.owner_uscc)]
    u = ibis.union(*[k.select(uscc=k.uscc.cast("string")) for k in keys], distinct=True)
    return u.mutate(fid=ibis.row_number().over(order_by="uscc"))


def _to_fid(table: ibis.Table, column: str, fid: ibis.Table) -> ibis.Table:
    """``table`` with the USCCs of ``column`` replaced by their ids in ``fid`` (null stays null)."""
    m = fid.select(_k=_.uscc, _id=_.fid)
    j = table.left_join(m, table[column] == m._k)
    return j.select(*[(j._id.name(c) if c == column else j[c]) for c in table.columns])


def compute_indicator_arrow(con, opts: Options | None = None, cache: bool = True, indicators=None):
    """The catalogue (or the groups needed for ``indicators``) as one pyarrow table.

    With ``cache`` (DuckDB stores), the shared inputs the selected groups need are materialised once
    as temporary tables, then each group runs as its own query, one after another (a single query
    over the whole catalogue plans badly and holds every group's hash tables at once):

    - firm-years with the firm profile, keyed by dense integer ids in USCC order
      (:func:`_firm_index`), and the cluster firm-years at firm level with a region and a revenue rank
      per level (:func:`jiqun.metrics.cached.ranked_firm_years_sql`), read through a per-level view;
    - seller-years and the cluster firms' purchases in the years they have accounts, with the
      seller's location relative to the buyer and the buyer's clusters as a bitmask, keyed by the
      store's integer firm keys (``transactions.seller_key``/``buyer_key``; hashed USCCs with a
      collision check where keys are missing); the purchases per buyer-year;
    - patents, region totals, the reference area and cluster totals.

    ``cache=False`` evaluates the plain ibis expressions (any backend); the tests check that both give
    the same numbers. The DuckDB-specific pieces are in :mod:`jiqun.metrics.cached`."""
    import pyarrow as pa

    opts = opts or Options()
    groups = selected_groups(None if indicators is None else list(indicators))
    # Whether the reference area has rows is settled once here, so that the unused branch of the
    # reference inputs is not computed.
    inputs = indicator_inputs(con, opts, _has_reference_rows(con, opts) if cache else None)
    cached, views = [], []
    located_name = "_jiqun_input_tx"  # the located purchases (a view over it when buyers are keyed by firm)
    located_years = None  # the years of the located purchases (those of the cluster firm-years)
    db = duckdb_connection(con)
    try:
        if cache:
            need = _needed_inputs(groups)
            # Firm keys of the cached inputs are dense integers (see :func:`_firm_index`): the joins and
            # group-bys below hash 8-byte ints instead of 18-character USCCs. Sellers (most of them
            # unregistered counterparts) are keyed by a 64-bit hash of their USCC, checked for collisions.
            clusters = cluster_enum_values(con)
            enum = enum_type(clusters)
            fid = _materialise(con, _firm_index(con), "_jiqun_fid")
            cached.append("_jiqun_fid")
            if need & {"fy", "ranked", "totals", "fy_all", "regions", "region_div", "located", "buyer_purchases"}:
                # All firms' firm-years with their profile, by firm id, once; cluster firm-years and
                # fy_all repeat it per level.
                fyb = _materialise(con, _to_fid(firm_years(con), "uscc", fid), "_jiqun_input_fyb")
                cached.append("_jiqun_input_fyb")
            if need & {"fy", "ranked", "totals", "located", "buyer_purchases"}:
                # Leader and concentration ranks once, as a top-n aggregate (ties by firm id = by USCC,
                # ids being in USCC order).
                # Stored at firm level (cluster × firm × year) with a region and a rank column per level;
                # the groups read it through a view with one projection per level.
                members = _to_fid(marts.firm_clusters(con).select("uscc", "cluster_id"), "uscc", fid)
                base = fyb.join(members, "uscc")
                base = base.mutate(**{f"region_{lv}": level_code(base.firm_region, lv) for lv in opts.levels})
                cached.append("_jiqun_input_cfy")
                cfy = _materialise(con, ranked_firm_years_sql(ibis.to_sql(base, dialect="duckdb"), opts.levels,
                                                              opts.leaders_k), "_jiqun_input_cfy", enum)
                views.append("_jiqun_input_fy")
                inputs["fy"] = _view(con, levels_view(cfy, opts.levels, opts.leaders_k), "_jiqun_input_fy")
                inputs["ranked"] = inputs["fy"]
            tx = inputs["transactions"]
            store_keys = (bool(need & {"sellers", "located", "buyer_purchases"})
                          and firm_keys_complete(db, "transactions"))
            if store_keys:
                # The store's integer firm keys (assigned at load) stand in for the USCCs: exact, and
                # no 18-character text is hashed or compared.
                tx = tx.mutate(seller_uscc=tx.seller_key, buyer_uscc=tx.buyer_key)
                seller_key, checked = (lambda key: key), False
            else:  # keys missing (rows written around the loader): hashed USCCs, collisions checked
                seller_key, checked = _seller_key, True
            if "sellers" in need:  # all sales per seller-year (read from the raw transactions)
                cached.append("_jiqun_input_sellers")
                sellers = _materialise(con, keyed_seller_years(tx, seller_key, checked), "_jiqun_input_sellers")
                if checked and key_collisions(con, "_jiqun_input_sellers"):
                    log.warning("seller keys collide: the seller-years are keyed by USCC instead (slower)")
                    seller_key = None
                    sellers = _materialise(con, seller_years(tx), "_jiqun_input_sellers")
                inputs["sellers"] = sellers.select("seller_uscc", "year", "sales_all", "loc")
            if need & {"located", "buyer_purchases"}:
                # Purchases of cluster firms in the years they have accounts (the only buyers any indicator
                # reads: purchases, driving power and moved-out suppliers all meet the cluster
                # firm-years), buyers by firm id, with their clusters as a bitmask.
                # One row per buyer firm with its account years as a bitmask where the years fit one
                # (see :func:`jiqun.metrics.cached.buyer_firms`), else one row per buyer-year.
                years = [y for (y,) in run(db, "SELECT DISTINCT year FROM _jiqun_input_cfy ORDER BY 1")]
                first_year, last_year = (years[0], years[-1]) if years else (None, None)
                if 0 < len(years) <= MAX_MASK_YEARS:  # per-year queries below (a handful of years)
                    located_years = years
                by_firm = first_year is not None and last_year - first_year < MAX_MASK_YEARS
                buyers = buyer_firms(cfy, first_year) if by_firm else buyer_years(cfy)
                buyers = buyers.join(fid.select(fid=_.fid, _uscc=_.uscc), "fid")
                columns = [c for c in buyers.columns if c not in ("fid", "_uscc")]
                firms = buyers.select("fid", *columns, uscc=_._uscc)
                if store_keys:  # keyed like the transactions' buyers
                    firms = firms.join(con.table("firm_keys"), "uscc").select("fid", *columns, uscc=_.firm_key)
                # Materialised: the join over the transactions then builds its hash table from a plain
                # table (measured: 1.4 + 7.5 s instead of 10 s at province scale, by buyer-year).
                cached.append("_jiqun_input_buyers")
                firms = _materialise(con, firms, "_jiqun_input_buyers")
                keyed = tx if seller_key is None else tx.mutate(seller_uscc=seller_key(tx.seller_uscc))
                located = located_purchases(keyed, firms)
                if by_firm:
                    # The account years are checked after the join and kept as a column: as a filter,
                    # DuckDB would make it a second join condition and lose the direct lookup.
                    located = located.mutate(in_accounts=in_account_years(
                        located.year, located.account_years, first_year)).drop("account_years")
                cached.append("_jiqun_input_tx")
                located = _materialise(con, located, "_jiqun_input_tx")
                if by_firm:
                    located_name = "_jiqun_input_located"
                    views.append(located_name)
                    located = _view(con, located.filter(_.in_accounts).drop("in_accounts"), located_name)
                inputs["located"] = located
                if "buyer_purchases" in need:
                    # One aggregate per year, stacked: the located purchases come from the transactions in
                    # their stored order (by year), so each reads its own row groups and holds one year's
                    # buyers in its hash table (measured 2.4-3.2 s against 3.0-4.1 s in one aggregate).
                    per_buyer = (buyer_purchases(located) if located_years is None else stack(*[
                        buyer_purchases(located.filter(located.year == year)) for year in located_years]))
                    cached.append("_jiqun_input_purchases")
                    inputs["buyer_purchases"] = _materialise(con, per_buyer, "_jiqun_input_purchases")
            inputs["trademarks"] = _to_fid(inputs["trademarks"], "owner_uscc", fid)
            inputs["patents"] = _to_fid(inputs["patents"], "applicant_uscc", fid)
            inputs["firm_nodes"] = _to_fid(inputs["firm_nodes"], "uscc", fid)
            if "fy_all" in need:  # a view: one projection of the cached firm-years per level
                views.append("_jiqun_input_fy_all")
                inputs["fy_all"] = _view(con, at_levels(fyb, opts.levels).select(
                    "uscc", "year", "region_code", "level", "division", "employment", "output"), "_jiqun_input_fy_all")
            if "_jiqun_input_fyb" in cached:  # region sums from the cached firm-years
                inputs["regions"] = region_totals_of(fyb, opts.levels)
                inputs["region_div"] = region_division_employment(fyb, opts.levels)
            for k, expr in (("patents", None), ("regions", None), ("reference", None), ("fields", None),
                            ("nodes", None), ("totals", lambda: cluster_totals(inputs["fy"]))):
                if k in need:
                    name = f"_jiqun_input_{k}"
                    inputs[k] = _materialise(con, expr() if expr else inputs[k], name, enum)
                    cached.append(name)
            if "_jiqun_input_cfy" in cached:
                # Joins with firm-year tables done at firm level, before the per-level view doubles the rows.
                if "_jiqun_input_purchases" in cached:
                    bp = inputs["buyer_purchases"].select("total", "city", "prov", "imp", uscc=_.buyer_uscc,
                                                          year=_.year)
                    inputs["fy_purchases"] = levels_view(cfy.join(bp, ["uscc", "year"]), opts.levels,
                                                         opts.leaders_k)
                if "_jiqun_input_patents" in cached:
                    inputs["fy_patents"] = levels_view(with_patent_counts(cfy, inputs["patents"]), opts.levels,
                                                       opts.leaders_k)
                inputs["fy_trademarks"] = levels_view(with_trademark_counts(cfy, inputs["trademarks"]), opts.levels,
                                                      opts.leaders_k)
        tables = []
        x = _prepared_inputs(con, opts, inputs)
        if cache:
            def group_sql():
                for group, part in _iter_parts(x, opts, indicators):
                    if group == "driving_power" and len(clusters) <= MAX_MASK_CLUSTERS:
                        # Per-seller cluster bitmasks instead of a group-by over every local seller ×
                        # cluster pair.
                        yield group, driving_power_sql("_jiqun_input_fy", located_name, "_jiqun_input_sellers",
                                                       clusters, opts.levels, located_years)
                    else:  # the SQL run on the store directly: no pandas import on ibis' way to Arrow
                        yield group, ibis.to_sql(part, dialect="duckdb")

            with contextlib.closing(_ahead(group_sql())) as compiled:  # the worker stops if a query fails
                for group, sql in compiled:
                    tables.append(_run_sql(con, group, sql))
        else:
            for group, part in _iter_parts(x, opts, indicators):
                tables.append(_run(group, part))
    finally:
        for name in views:
            run(db, f"DROP VIEW IF EXISTS temp.{name}")
        for name in cached:
            run(db, f"DROP TABLE IF EXISTS temp.{name}")
    if not tables:
        return compute_indicators(con, opts, None, indicators).to_pyarrow()
    schema = tables[0].schema
    return pa.concat_tables([t.cast(schema) for t in tables])


def data_vintage(con) -> str:
    """The data vintage behind the results: declared vintages and the last load id (``loads``)."""
    loads = con.table("loads")
    summary = loads.aggregate(n=loads.count(), last_id=loads.load_id.max(), last_at=loads.loaded_at.max())
    n, last_id, last_at = _rows(con, summary)[0]
    if not n:
        return "no loads"
    vintages = sorted(v for (v,) in _rows(con, loads.filter(loads.vintage.notnull()).select("vintage").distinct()))
    label = "; ".join(vintages) if vintages else "undeclared vintage"
    return f"{label} (loads 1-{int(last_id)}, last {last_at:%Y-%m-%d %H:%M})"


def write_indicator_results(con, opts: Options | None = None, cache: bool = True, indicators=None) -> int:
    """Compute the catalogue and store it in ``indicator_results``, replacing the rows with the same
    (cluster_id, region_code, year, indicator) in one transaction. Returns the rows written."""
    table = compute_indicator_arrow(con, opts, cache, indicators)
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


def store_alerts(con, indicators: ibis.Table | None = None) -> ibis.Table:
    """Alerts of the store: every rule of ``alerts.yaml`` on ``indicators`` (default: the catalogue
    computed now), with chain-segment suppliers from the store's firm data."""
    from .alerts import evaluate_alerts

    inputs = indicator_inputs(con)
    segments = segment_suppliers(inputs["fy_all"], inputs["firm_nodes"], inputs["nodes"])
    if indicators is None:
        indicators = compute_indicators(con, inputs=inputs)
    return evaluate_alerts(indicators, segments=segments)


__all__ = ["compute_indicators", "write_indicator_results", "indicator_inputs", "store_strength", "store_alerts",
           "data_vintage", "NATION"]
