"""The DuckDB executor: the store's production engine.

The inputs the selected groups need are materialised once as temporary tables, then each group runs
as its own query, one after another (a single query over the whole catalogue plans badly and holds
every group's hash tables at once). Accelerations, each replacing the registry's portable input of
the same name (same rows; firm keys re-encoded), see :mod:`jiqun.metrics.cached` for the SQL:

- firm-years with the firm profile, keyed by dense integer ids in USCC order (:func:`firm_index`);
  the cluster firm-years at firm level with a region and a revenue rank per level
  (:func:`~jiqun.metrics.cached.ranked_firm_years_sql`), read through a per-level view (``fy``,
  ``ranked``), joined at firm level with patents, trademarks and purchases before the view doubles
  the rows (``fy_patents``, ``fy_trademarks``, ``fy_purchases``);
- seller-years and the cluster firms' purchases in the years they have accounts, keyed by the store's
  integer firm keys (hashed USCCs with a collision check where keys are missing), the buyer's account
  years as a bitmask; the purchases per buyer-year, one aggregate per year;
- the leaders' driving power as hand-written SQL with per-seller cluster bitmasks.

The portable twin of each is in :mod:`jiqun.metrics.inputs` or the group's formula module;
``tests/test_engine.py`` checks that both executors give the same numbers for every group.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass, field

import ibis
import pyarrow as pa
from ibis import _

from ... import marts
from ..._duck import duckdb_connection, fetch_all
from ...store.keys import firm_keys_complete
from ..base import at_levels, firm_years, has_reference_rows, level_code, region_division_employment, region_totals_of
from ..cached import (MAX_MASK_CLUSTERS, MAX_MASK_YEARS, buyer_firms, buyer_years, cluster_enum_values,
                      driving_power_sql, enum_type, in_account_years, key_collisions, keyed_seller_years,
                      levels_view, ranked_firm_years_sql, seller_key)
from ..chain import buyer_purchases, located_purchases, seller_years
from ..base import stack
from ..innovation import with_patent_counts
from ..inputs import StoreFacts
from ..openness import with_trademark_counts
from ..planner import InputResolver, Plan, group_expressions
from ..scale import cluster_totals
from .compile_ahead import compile_ahead
from .portable import concat_long

log = logging.getLogger(__name__)

PREFIX = "_jiqun_input_"


def firm_index(con) -> ibis.Table:
    """``uscc, fid``: a dense int64 id per USCC of ``firms``, patent applicants and trademark owners,
    numbered in USCC order, so that ordering by id breaks ties as ordering by USCC does."""
    keys = [con.table("firms").select("uscc"),
            con.table("patents").filter(_.applicant_uscc.notnull()).select(uscc=_.applicant_uscc),
            con.table("trademarks").filter(_.owner_uscc.notnull()).select(uscc=_.owner_uscc)]
    union = ibis.union(*[k.select(uscc=k.uscc.cast("string")) for k in keys], distinct=True)
    return union.mutate(fid=ibis.row_number().over(order_by="uscc"))


def with_firm_ids(table: ibis.Table, column: str, ids: ibis.Table) -> ibis.Table:
    """``table`` with the USCCs of ``column`` replaced by their ids in ``ids`` (null stays null)."""
    lookup = ids.select(_uscc_key=_.uscc, _firm_id=_.fid)
    joined = table.left_join(lookup, table[column] == lookup._uscc_key)
    return joined.select(*[(joined._firm_id.name(c) if c == column else joined[c]) for c in table.columns])


@dataclass
class _Prepared:
    """What the preparation steps materialised (names of temporary tables and views) and learned."""

    tables: dict = field(default_factory=dict)  # input name -> ibis table replacing the portable one
    temp_tables: list = field(default_factory=list)
    temp_views: list = field(default_factory=list)
    clusters: list = field(default_factory=list)
    located_name: str = PREFIX + "tx"
    located_years: list | None = None


class DuckDBExecutor:
    """Run a :class:`jiqun.metrics.planner.Plan` on a DuckDB store with the accelerations above."""

    def __init__(self, con):
        self.con = con
        self.db = duckdb_connection(con)

    # -- materialising ---------------------------------------------------------------------------

    def _table(self, state: _Prepared, expr, name: str, cluster_enum: str | None = None) -> ibis.Table:
        """``CREATE TEMP TABLE name`` from an expression or SQL text (``cluster_id`` cast to
        ``cluster_enum`` when given)."""
        started = time.perf_counter()
        sql = expr if isinstance(expr, str) else ibis.to_sql(expr, dialect="duckdb")
        columns = [r[0] for r in fetch_all(self.db, f"DESCRIBE {sql}")] if isinstance(expr, str) else expr.columns
        if cluster_enum and "cluster_id" in columns:
            sql = f"SELECT * REPLACE (CAST(cluster_id AS {cluster_enum}) AS cluster_id) FROM ({sql})"
        fetch_all(self.db, f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
        state.temp_tables.append(name)
        log.debug("materialised %s in %.1f s", name, time.perf_counter() - started)
        return self.con.table(name)

    def _view(self, state: _Prepared, expr: ibis.Table, name: str) -> ibis.Table:
        fetch_all(self.db, f"CREATE OR REPLACE TEMP VIEW {name} AS {ibis.to_sql(expr, dialect='duckdb')}")
        state.temp_views.append(name)
        return self.con.table(name)

    def _drop(self, state: _Prepared) -> None:
        for name in state.temp_views:
            fetch_all(self.db, f"DROP VIEW IF EXISTS temp.{name}")
        for name in state.temp_tables:
            fetch_all(self.db, f"DROP TABLE IF EXISTS temp.{name}")

    # -- preparation steps -----------------------------------------------------------------------

    def _prepare(self, plan: Plan, source: InputResolver, state: _Prepared) -> None:
        opts, given = plan.opts, state.tables
        state.clusters = cluster_enum_values(self.con)
        enum = enum_type(state.clusters)
        ids = self._table(state, firm_index(self.con), PREFIX + "fid")
        firm_level = None
        if plan.needs("fy", "ranked", "totals", "fy_all", "regions", "region_div", "located", "buyer_purchases"):
            # All firms' firm-years with their profile, by firm id, once; the levels repeat it.
            all_years = self._table(state, with_firm_ids(firm_years(self.con), "uscc", ids), PREFIX + "firm_years")
            if plan.needs("fy", "ranked", "totals", "located", "buyer_purchases"):
                firm_level = self._ranked_firm_years(plan, state, all_years, ids, enum)
            if plan.needs("fy_all"):  # a view: one projection of the cached firm-years per level
                given["fy_all"] = self._view(state, at_levels(all_years, opts.levels).select(
                    "uscc", "year", "region_code", "level", "division", "employment", "output"), PREFIX + "fy_all")
            given["regions"] = region_totals_of(all_years, opts.levels)
            given["region_div"] = region_division_employment(all_years, opts.levels)
        self._purchases(plan, source, state, firm_level, ids)
        for name, column in (("trademarks", "owner_uscc"), ("patents", "applicant_uscc"), ("firm_nodes", "uscc"),
                             ("world_leaders", "uscc")):
            if plan.needs(name):
                given[name] = with_firm_ids(source[name], column, ids)
        for name in ("patents", "regions", "reference", "fields", "nodes"):
            if plan.needs(name):
                given[name] = self._table(state, given.get(name, source[name]), PREFIX + name, enum)
        if plan.needs("totals"):
            given["totals"] = self._table(state, cluster_totals(given.get("fy", source["fy"])), PREFIX + "totals",
                                          enum)
        if firm_level is not None:
            self._firm_level_joins(plan, state, firm_level)

    def _ranked_firm_years(self, plan, state, all_years, ids, enum) -> ibis.Table:
        """The cluster firm-years at firm level with a region and a revenue rank per level (a top-n
        aggregate; ties by firm id = by USCC); ``fy`` and ``ranked`` are a view over it."""
        opts = plan.opts
        members = with_firm_ids(marts.firm_clusters(self.con).select("uscc", "cluster_id"), "uscc", ids)
        base = all_years.join(members, "uscc")
        base = base.mutate(**{f"region_{lv}": level_code(base.firm_region, lv) for lv in opts.levels})
        firm_level = self._table(state, ranked_firm_years_sql(ibis.to_sql(base, dialect="duckdb"), opts.levels,
                                                              opts.leaders_k), PREFIX + "ranked_firm_years", enum)
        view = self._view(state, levels_view(firm_level, opts.levels, opts.leaders_k), PREFIX + "fy")
        state.tables["fy"] = state.tables["ranked"] = view
        return firm_level

    def _purchases(self, plan, source, state, firm_level, ids) -> None:
        """Seller-years, located purchases and purchases per buyer-year (see the module docstring)."""
        given = state.tables
        transactions = source["transactions"]
        store_keys = plan.needs("sellers", "located", "buyer_purchases") and firm_keys_complete(
            self.db, "transactions")
        if store_keys:  # the store's integer firm keys stand in for the USCCs: exact, no text hashed
            transactions = transactions.mutate(seller_uscc=transactions.seller_key,
                                               buyer_uscc=transactions.buyer_key)
            key, checked = (lambda uscc: uscc), False
        else:  # keys missing (rows written around the loader): hashed USCCs, collisions checked
            key, checked = seller_key, True
        if plan.needs("sellers"):
            sellers = self._table(state, keyed_seller_years(transactions, key, checked), PREFIX + "sellers")
            if checked and key_collisions(self.con, PREFIX + "sellers"):
                log.warning("seller keys collide: the seller-years are keyed by USCC instead (slower)")
                key = None
                sellers = self._table(state, seller_years(transactions), PREFIX + "sellers")
            given["sellers"] = sellers.select("seller_uscc", "year", "sales_all", "loc")
        if firm_level is not None and plan.needs("located", "buyer_purchases"):
            keyed = transactions if key is None else transactions.mutate(seller_uscc=key(transactions.seller_uscc))
            self._located(plan, state, firm_level, ids, keyed, store_keys)

    def _located(self, plan, state, firm_level, ids, transactions, store_keys) -> None:
        """Purchases of cluster firms in the years they have accounts (the only buyers any indicator
        reads), buyers by firm id with their clusters as a bitmask; one row per buyer firm with its
        account years as a bitmask where the years fit one, else one row per buyer-year."""
        years = [y for (y,) in fetch_all(self.db, f"SELECT DISTINCT year FROM {PREFIX}ranked_firm_years ORDER BY 1")]
        first_year, last_year = (years[0], years[-1]) if years else (None, None)
        if 0 < len(years) <= MAX_MASK_YEARS:  # per-year queries below (a handful of years)
            state.located_years = years
        by_firm = first_year is not None and last_year - first_year < MAX_MASK_YEARS
        buyers = buyer_firms(firm_level, first_year) if by_firm else buyer_years(firm_level)
        buyers = buyers.join(ids.select(fid=_.fid, _uscc=_.uscc), "fid")
        columns = [c for c in buyers.columns if c not in ("fid", "_uscc")]
        firms = buyers.select("fid", *columns, uscc=_._uscc)
        if store_keys:  # keyed like the transactions' buyers
            firms = firms.join(self.con.table("firm_keys"), "uscc").select("fid", *columns, uscc=_.firm_key)
        # Materialised: the join over the transactions then builds its hash table from a plain table
        # (measured: 1.4 + 7.5 s instead of 10 s at province scale, by buyer-year).
        firms = self._table(state, firms, PREFIX + "buyers")
        located = located_purchases(transactions, firms)
        if by_firm:
            # The account years are checked after the join and kept as a column: as a filter, DuckDB
            # would make it a second join condition and lose the direct lookup.
            located = located.mutate(in_accounts=in_account_years(
                located.year, located.account_years, first_year)).drop("account_years")
        located = self._table(state, located, PREFIX + "tx")
        if by_firm:
            state.located_name = PREFIX + "located"
            located = self._view(state, located.filter(_.in_accounts).drop("in_accounts"), state.located_name)
        state.tables["located"] = located
        if plan.needs("buyer_purchases"):
            # One aggregate per year, stacked: the located purchases come from the transactions in their
            # stored order (by year), so each reads its own row groups and holds one year's buyers in its
            # hash table (measured 2.4-3.2 s against 3.0-4.1 s in one aggregate).
            per_buyer = (buyer_purchases(located) if state.located_years is None else stack(*[
                buyer_purchases(located.filter(located.year == year)) for year in state.located_years]))
            state.tables["buyer_purchases"] = self._table(state, per_buyer, PREFIX + "purchases")

    def _firm_level_joins(self, plan, state, firm_level) -> None:
        """Joins of the cluster firm-years with firm-year tables, done at firm level before the
        per-level view doubles the rows (same rows as the portable ``fy_*`` inputs)."""
        given, opts = state.tables, plan.opts
        if plan.needs("fy_purchases") and "buyer_purchases" in given:
            per_buyer = given["buyer_purchases"].select("total", "city", "prov", "imp", uscc=_.buyer_uscc,
                                                        year=_.year)
            given["fy_purchases"] = levels_view(firm_level.join(per_buyer, ["uscc", "year"]), opts.levels,
                                                opts.leaders_k)
        if plan.needs("fy_patents") and "patents" in given:
            given["fy_patents"] = levels_view(with_patent_counts(firm_level, given["patents"]), opts.levels,
                                              opts.leaders_k)
        if plan.needs("fy_trademarks") and "trademarks" in given:
            given["fy_trademarks"] = levels_view(with_trademark_counts(firm_level, given["trademarks"]), opts.levels,
                                                 opts.leaders_k)

    # -- running ---------------------------------------------------------------------------------

    def _group_sql(self, plan: Plan, tables, state: _Prepared):
        """Yield ``(group, SQL)``: the portable expression compiled, or a hand-written query where
        one wins (driving power with per-seller cluster bitmasks)."""
        bitmasks = ("located" in state.tables and "sellers" in state.tables
                    and len(state.clusters) <= MAX_MASK_CLUSTERS)
        for group, expr in group_expressions(plan, tables):
            if group == "driving_power" and bitmasks:
                yield group, driving_power_sql(PREFIX + "fy", state.located_name, PREFIX + "sellers",
                                               state.clusters, plan.opts.levels, state.located_years)
            else:  # run on the store directly: no pandas on ibis' way to Arrow
                yield group, ibis.to_sql(expr, dialect="duckdb")

    def run(self, plan: Plan) -> pa.Table:
        """The long results of ``plan`` as one pyarrow table (:data:`jiqun.metrics.base.LONG_SCHEMA`)."""
        # Whether the reference area has rows is settled once, so the unused branch is not computed.
        facts = StoreFacts(national_rows=has_reference_rows(self.con, plan.opts))
        source = InputResolver(self.con, plan, facts)
        state = _Prepared()
        results = []
        try:
            self._prepare(plan, source, state)
            tables = InputResolver(self.con, plan, facts, given=state.tables).resolve_all()
            with contextlib.closing(compile_ahead(self._group_sql(plan, tables, state))) as compiled:
                for group, sql in compiled:  # the compiling worker stops if a query fails
                    started = time.perf_counter()
                    results.append(self.db.sql(sql).to_arrow_table())
                    log.debug("group %s: %d rows in %.1f s", group, results[-1].num_rows,
                              time.perf_counter() - started)
        finally:
            self._drop(state)
        return concat_long(results)
