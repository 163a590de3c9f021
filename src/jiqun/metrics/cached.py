"""DuckDB-specific SQL of the DuckDB executor (:mod:`jiqun.metrics.executors.duckdb`).

The indicator groups are portable ibis expressions. When the engine materialises their shared
inputs in a DuckDB store it uses a few things only DuckDB has, kept here, apart from the
expressions (each has a portable twin that the tests compare it with):

- cluster ids stored as one ``ENUM`` type (1-byte codes in joins and group-bys);
- sellers keyed by DuckDB's 64-bit ``hash()`` of the USCC, with a collision check;
- leader ranks from a top-n aggregate (``min_by(x, key, n)``) instead of a window;
- leading-firm driving power from per-seller bitmasks of the buyers' clusters.
"""

from __future__ import annotations

import ibis
from ibis import _
from ibis.expr import datatypes as ibis_dt

from .._duck import duckdb_connection, fetch_all, fetch_one
from .base import ALL, stack
from .chain import SAME_CITY, SAME_PROVINCE

#: Bitmasks of clusters are UBIGINT: at most this many cluster ids for the bitmask path.
MAX_MASK_CLUSTERS = 64


def cluster_enum_values(con) -> list[str]:
    """Every cluster id the cached inputs can hold (catalogue, reference rows, ``'all'``), sorted:
    the values of the ``ENUM`` type, in the order of their codes (``enum_code``)."""
    rows = fetch_all(duckdb_connection(con),
               "SELECT DISTINCT cluster_id FROM clusters UNION SELECT DISTINCT sector_code FROM regional_employment "
               "WHERE classification = 'cluster' UNION SELECT ? ORDER BY 1", [ALL])
    return [str(v) for (v,) in rows]


def enum_type(values: list[str]) -> str:
    """SQL text of an inline ``ENUM`` type of ``values`` (two columns of the same inline type join
    on their codes)."""
    return "ENUM(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


@ibis.udf.scalar.builtin(name="hash")
def duckdb_hash(value: ibis_dt.string) -> ibis_dt.uint64:
    """DuckDB's 64-bit ``hash()`` (ibis' ``.hash()`` goes through a slow cast to BIT)."""


@ibis.udf.scalar.builtin(name="enum_code")
def enum_code(value: ibis_dt.string) -> ibis_dt.int64:
    """DuckDB's ``enum_code()``: the position of an ENUM value in its type."""


def _bit(position):
    """``1 << position`` as UBIGINT (one bit of a bitmask)."""
    return ibis.literal(1).cast("uint64") << position.cast("uint64")


def cluster_bit(cluster_id):
    """The bit of a cluster in the buyers' bitmasks: ``1 << enum_code(cluster_id)`` as UBIGINT."""
    return _bit(enum_code(cluster_id))


def buyer_years(ranked: ibis.Table) -> ibis.Table:
    """``fid, year, firm_region, mask`` per cluster firm-year of the firm-level table of
    :func:`ranked_firm_years_sql` (``uscc`` holds the firm id there): ``mask`` has bit
    ``enum_code(cluster_id)`` set for every cluster of the firm."""
    return ranked.group_by(fid=ranked.uscc, year=ranked.year, firm_region=ranked.firm_region).aggregate(
        mask=cluster_bit(ranked.cluster_id).bit_or())


#: Years a bitmask of account years can hold (bit ``year - first_year`` of a UBIGINT).
MAX_MASK_YEARS = 64


def buyer_firms(ranked: ibis.Table, first_year: int) -> ibis.Table:
    """``fid, firm_region, mask, account_years`` per cluster firm of the firm-level table of
    :func:`ranked_firm_years_sql`: ``mask`` as in :func:`buyer_years`; ``account_years`` has bit
    ``year - first_year`` set for every year the firm has accounts (years within
    :data:`MAX_MASK_YEARS` of ``first_year``).

    One row per firm: the region and the clusters come from the firm's profile. The transactions
    then meet the buyers on the firm key alone, a join DuckDB runs as a direct lookup (its perfect
    hash join) when the keys are dense integers, as the store's firm keys are; the year is checked
    against ``account_years`` afterwards (see :func:`in_account_years`)."""
    return ranked.group_by(fid=ranked.uscc, firm_region=ranked.firm_region).aggregate(
        mask=cluster_bit(ranked.cluster_id).bit_or(), account_years=_bit(ranked.year - first_year).bit_or())


def in_account_years(year, account_years, first_year: int):
    """Whether ``year`` is one of the years of an ``account_years`` bitmask of :func:`buyer_firms`
    (false for years outside the mask's range)."""
    offset = year - first_year
    # A CASE: the shift (and the cast of its count to unsigned) only runs on the rows in range.
    bit = (account_years >> offset.cast("uint64")) & 1
    return ibis.cases(((offset >= 0) & (offset < MAX_MASK_YEARS), bit == 1), else_=False)


def seller_key(uscc):
    """Integer key of a seller: DuckDB's 64-bit hash of its USCC (collisions are checked, see
    :func:`key_collisions`)."""
    return duckdb_hash(uscc)


def check_key(uscc):
    """A second 64-bit hash of the USCC, of a prefixed text (so its bytes align differently): two
    USCCs behind one key are told apart by it, see :func:`key_collisions`."""
    return duckdb_hash("#" + uscc)


def keyed_seller_years(transactions: ibis.Table, key, checked: bool = True) -> ibis.Table:
    """:func:`jiqun.metrics.chain.seller_years` keyed by ``key(seller_uscc)``; with ``checked``, the
    smallest and largest :func:`check_key` behind each key (``_min``, ``_max``) for the collision
    check. The location ``loc`` is the largest region code taken as a number (same order: all are 6
    digits)."""
    t = transactions.filter(_.seller_uscc.notnull())
    check = {"_min": check_key(t.seller_uscc).min(), "_max": check_key(t.seller_uscc).max()} if checked else {}
    return t.group_by(seller_uscc=key(t.seller_uscc), year=t.year).aggregate(
        sales_all=_.amount_yuan.sum(), loc=t.seller_region_code.cast("int32").max().cast("string"), **check)


def key_collisions(con, table: str) -> int:
    """Keys of ``table`` (from :func:`keyed_seller_years`) behind which the check hash differs, i.e.
    that stand for more than one USCC. A collision that the check hash misses too has a probability
    of about n² / 2¹²⁹ (~10⁻²⁶ for a province's few million sellers)."""
    return fetch_one(duckdb_connection(con), f"SELECT count(*) FROM (SELECT seller_uscc FROM {table} GROUP BY seller_uscc "
                                       "HAVING min(_min) <> max(_max))")[0]


def ranked_firm_years_sql(base_sql: str, levels, k: int) -> str:
    """SQL: cluster firm-years at firm level (``base_sql``, one row per cluster × firm × year with a
    ``region_<level>`` column per level) with ``rank_<level>``: the firm's revenue rank in its
    cluster × region × year at that level, for the top ``max(k, 10)`` (null below).

    Ranks as :func:`jiqun.metrics.leading.rank_leaders` gives them (missing revenue as 0, ties by firm
    key), from a top-n aggregate instead of a window; :func:`levels_view` turns the table into the
    cluster firm-years at levels."""
    n = max(k, 10)
    levels = list(levels)
    expanded = " UNION ALL ".join(
        f"SELECT '{lv}' AS level, cluster_id, region_{lv} AS region_code, year, uscc, revenue FROM base"
        for lv in levels)
    ranks = ", ".join(f"max(rk) FILTER (WHERE level = '{lv}') AS rank_{lv}" for lv in levels)
    picked = ", ".join(f"level_ranks.rank_{lv}" for lv in levels)
    return (f"WITH base AS ({base_sql}), expanded AS ({expanded}), "
            f"tops AS (SELECT level, cluster_id, region_code, year, "
            f"min_by(uscc, {{'r': -coalesce(revenue, 0), 'u': uscc}}, {n}) AS l "
            f"FROM expanded GROUP BY level, cluster_id, region_code, year), "
            f"ranked AS (SELECT level, cluster_id, year, unnest(l) AS uscc, generate_subscripts(l, 1) - 1 AS rk "
            f"FROM tops), "
            f"level_ranks AS (SELECT cluster_id, year, uscc, {ranks} FROM ranked GROUP BY cluster_id, year, uscc) "
            f"SELECT base.*, {picked} FROM base LEFT JOIN level_ranks USING (cluster_id, year, uscc)")


def levels_view(ranked: ibis.Table, levels, k: int) -> ibis.Table:
    """Cluster firm-years at levels (as :func:`jiqun.metrics.base.cluster_firm_years` with
    :func:`jiqun.metrics.leading.rank_leaders`) from the firm-level table of
    :func:`ranked_firm_years_sql`: one projection per level, nothing copied."""
    levels = list(levels)
    extra = [f"region_{lv}" for lv in levels] + [f"rank_{lv}" for lv in levels]
    parts = []
    for lv in levels:
        t = ranked.mutate(region_code=ranked[f"region_{lv}"], level=ibis.literal(lv), rev_rank=ranked[f"rank_{lv}"])
        t = t.mutate(is_leader=(t.rev_rank < k).fill_null(False))
        parts.append(t.drop(*extra))
    return stack(*parts)


#: Located purchases that are local at a level (``seller_location`` of located_purchases).
_LEVEL_LOCATIONS = {"city": f"seller_location = {SAME_CITY}",
                    "province": f"seller_location IN ({SAME_CITY}, {SAME_PROVINCE})"}
#: The buyer's region at a level as a number (``buyer_city``: the first 4 digits of its code), and as
#: the region code that :func:`jiqun.metrics.base.level_code` builds from that number.
_LEVEL_REGION = {"city": "buyer_city", "province": "buyer_city // 100"}
_LEVEL_CODE = {"city": "lpad(CAST(region AS VARCHAR), 4, '0') || '00'",
               "province": "lpad(CAST(region AS VARCHAR), 2, '0') || '0000'"}


def driving_power_sql(fy: str, located: str, sellers: str, clusters: list[str], levels, years=None) -> str:
    """SQL of the long ``leader_driving_power`` rows, the numbers of
    :func:`jiqun.metrics.leading.driving_power`, from the cached tables ``fy`` (cluster firm-years at
    levels, ``cluster_id`` of the enum of ``clusters``), ``located`` (located purchases) and
    ``sellers`` (seller-years).

    The local suppliers S of a cluster × region × year are not listed pair by pair (tens of millions
    of rows at province scale). Each purchase carries the bitmask of its buyer's clusters; each local
    seller × year × region ORs the masks of its buyers there; those rows, joined to the clusters whose
    bit they carry, give the count and the sales of the sellers per cluster × region × year. Sales to
    leaders are summed from the (few) leaders' purchases.

    ``years``: the years of ``located``, when known. The local sellers are then grouped and meet the
    seller-years one year at a time (stacked): each year's hash tables are a year's sellers big, and
    the located purchases, in the transactions' stored order (by year), are read by row group.
    """
    if len(clusters) > MAX_MASK_CLUSTERS:
        raise ValueError(f"at most {MAX_MASK_CLUSTERS} cluster ids for the bitmask path, got {len(clusters)}")
    levels = list(levels)
    for lv in levels:
        if lv not in _LEVEL_LOCATIONS:
            raise ValueError(f"unknown level {lv!r}")
    # Each level groups the local purchases (buyer clusters as a bitmask, carried by the located
    # purchases) by seller × year × the buyer's region at that level.
    # Regions stay numbers (with the level's position) until the cells are counted.
    def local(year_filter: str) -> str:
        return " UNION ALL ".join(
            f"SELECT seller_uscc, year, CAST({i} AS UTINYINT) AS lvl, {_LEVEL_REGION[lv]} AS region, "
            f"bit_or(mask) AS mask FROM {located} WHERE {year_filter}seller_uscc IS NOT NULL "
            f"AND {_LEVEL_LOCATIONS[lv]} GROUP BY ALL"
            for i, lv in enumerate(levels))

    def with_sales(local_sql: str, seller_years: str) -> str:  # local sellers with their sales that year
        return (f"SELECT local.lvl, local.region, local.year, local.mask, s.sales_all FROM ({local_sql}) local "
                f"JOIN {seller_years} s ON local.seller_uscc = s.seller_uscc AND local.year = s.year")

    if years is None:
        local_sales = with_sales(local(""), sellers)
    else:
        local_sales = " UNION ALL ".join(
            with_sales(local(f"year = {int(y)} AND "), f"(SELECT * FROM {sellers} WHERE year = {int(y)})")
            for y in years)
    region_code = "CASE lvl " + " ".join(f"WHEN {i} THEN {_LEVEL_CODE[lv]}" for i, lv in enumerate(levels)) + " END"
    codes_values = ", ".join("('" + c.replace("'", "''") + f"', CAST({1 << i} AS UBIGINT))"
                             for i, c in enumerate(clusters))
    # A leader's purchase counts at a level when its seller is a firm local at that level.
    to_leader = " OR ".join(f"(f.level = '{lv}' AND l.{_LEVEL_LOCATIONS[lv]})" for lv in levels)
    return f"""
WITH codes AS (SELECT * FROM (VALUES {codes_values}) v(cluster_id, bit)),
cells AS (
    SELECT cluster_id, {region_code} AS region_code, year, n, sales, smax FROM (
        SELECT c.cluster_id, sc.lvl, sc.region, sc.year, count(*) AS n, sum(sc.sales_all) AS sales,
               max(sc.sales_all) AS smax
        FROM ({local_sales}) sc
        JOIN codes c ON (sc.mask & c.bit) <> 0
        GROUP BY c.cluster_id, sc.lvl, sc.region, sc.year)),
to_leaders AS (
    SELECT CAST(f.cluster_id AS VARCHAR) AS cluster_id, f.region_code, f.year,
           sum(l.amount) AS to_leaders
    FROM {located} l JOIN (SELECT uscc, year, cluster_id, region_code, level FROM {fy} WHERE is_leader) f
      ON l.buyer_uscc = f.uscc AND l.year = f.year
    WHERE l.seller_uscc IS NOT NULL AND ({to_leader})
    GROUP BY 1, 2, 3)
SELECT c.cluster_id, c.region_code, CAST(c.year AS BIGINT) AS year, 'leader_driving_power' AS indicator,
       CAST(coalesce(t.to_leaders, 0) AS DOUBLE) / c.sales AS value,
       CAST(c.n AS BIGINT) AS n_firms,
       CAST(c.smax AS DOUBLE) / c.sales AS top_firm_share
FROM cells c LEFT JOIN to_leaders t
  ON c.cluster_id = t.cluster_id AND c.region_code = t.region_code AND c.year = t.year
WHERE c.sales <> 0 AND NOT isnan(CAST(coalesce(t.to_leaders, 0) AS DOUBLE) / c.sales)
"""
