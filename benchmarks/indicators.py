"""Indicator catalogue at province scale: jiqun (ibis on DuckDB) against a plain pandas baseline.

Builds a synthetic store (default 1M firms x 8 years, 50M transactions, 2M patents) directly
with DuckDB SQL -- ingest is bypassed, so the USCCs are well-formed 18-character strings but
carry no valid check digit -- then, each in a fresh subprocess so that the peak RSS is the
computation's own:

1. jiqun: :func:`jiqun.metrics.write_indicator_results` for the full catalogue (the production
   path: shared inputs materialised as temp tables, every indicator computed and written to
   ``indicator_results``);
2. jiqun on the subset of indicators the pandas baseline implements
   (``write_indicator_results(..., indicators=SUBSET)``) -- skipped when the baseline covers the
   whole catalogue and runs on the same store: run 1 is then the one compared;
3. pandas: the store's tables read into DataFrames (timed separately; USCCs replaced by their rank
   among all USCCs, see :func:`read_tables`), then groupby/merge code for the same subset, written
   independently from the formulas in the docstrings of ``src/jiqun/metrics/*.py``.

Both results are merged on (cluster, region, year, indicator) and compared with
``np.allclose(rtol=1e-9, atol=0)`` (values) and exact equality (``n_firms``).

Peak memory = ``ru_maxrss`` of the worker subprocess as returned by ``os.wait4`` (the whole
process: interpreter, imports, DuckDB buffers, Arrow and pandas allocations).

Usage::

    python benchmarks/indicators.py                         # full province scale (~20 min)
    python benchmarks/indicators.py --firms 100000 --transactions 5000000 --patents 200000
    python benchmarks/indicators.py --store /tmp/prov.duckdb --keep   # build once, reuse later
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

Y0 = 2016
NATION = "100000"
# Indicators the pandas baseline implements: the whole catalogue.
BASELINE_GROUPS = {
    "scale": ["output_value", "revenue", "n_above_size", "employment", "province_output_share"],
    "growth": ["output_growth_yoy", "employment_growth_yoy", "output_cagr", "ss_total_change",
               "ss_reference_growth", "ss_industry_mix", "ss_local_competitiveness"],
    "specialisation": ["lq_employment", "lq_output", "krugman_index", "national_output_share"],
    "concentration": ["hhi", "cr4", "cr10", "ellison_glaeser"],
    "leading firms": ["leader_output_share", "top_firm_output_share", "leader_branch_share",
                      "leader_driving_power"],
    "openness": ["export_share", "intl_trademarks", "firms_with_intl_trademarks"],
    "chain integration": ["local_supporting_rate_city", "local_supporting_rate_province",
                          "import_share_purchases", "chain_segment_coverage", "suppliers_moved_out"],
    "firm quality": ["n_srdi", "n_little_giants", "n_single_champions", "n_listed", "foreign_output_share"],
    "innovation": ["rd_intensity", "invention_apps_per_10k_emp", "invention_grants_per_10k_emp",
                   "invention_apps_per_100m_output", "invention_grants_per_100m_output", "pct_applications",
                   "national_patent_share", "rta_cluster_fields", "foreign_applicant_share"],
}
SUBSET = [i for ids in BASELINE_GROUPS.values() for i in ids]


# --------------------------------------------------------------------------------------------
# Store builder (DuckDB SQL, hash-based pseudo-random values)
# --------------------------------------------------------------------------------------------

def _lit(values) -> str:
    return "[" + ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) + "]"


def build_store(path: Path, firms: int, years: int, transactions: int, patents: int, seed: int) -> dict:
    """Create a jiqun store at ``path`` and fill its fact tables; return row counts."""
    import jiqun
    from jiqun._duck import fetch_all
    from jiqun.schema import get_table
    from jiqun.store.keys import keyed_select, load_order, register_firm_keys

    con = jiqun.connect(path)
    db = con.con
    q = lambda sql: fetch_all(db, sql)  # noqa: E731
    s = int(seed) * 1000

    def u(*args) -> str:  # uniform [0, 1) from a hash of the arguments (and the seed)
        return f"(hash({', '.join(map(str, args))}, {s}) % 1000003) / 1000003.0"

    def h(*args) -> str:
        return f"hash({', '.join(map(str, args))}, {s})"

    counties = [r[0] for r in q("SELECT region_code FROM regions WHERE level = 'county' "
                                "AND region_code LIKE '32%' ORDER BY 1")]
    classes = [r[0] for r in q("SELECT industry_code FROM industries WHERE level = 'class' ORDER BY 1")]
    members = [r[0] for r in q("SELECT industry_code FROM cluster_industries")]
    # Non-cluster industries: dd99 codes of manufacturing divisions that no member code prefixes.
    other = [f"{d}99" for d in range(13, 44) if not any(f"{d}99".startswith(m) for m in members)]
    nodes = [r[0] for r in q("SELECT node_id FROM chain_nodes ORDER BY 1")]
    products = [r[0] for r in q("SELECT DISTINCT hs6 FROM chain_node_products ORDER BY 1")]
    node_ipc = [r[0] for r in q("SELECT DISTINCT ipc FROM chain_node_technologies WHERE length(ipc) = 4 ORDER BY 1")]
    field_ipc = [r[0] for r in q("SELECT DISTINCT replace(ipc, '%', '') FROM ipc_technology_fields "
                                 "WHERE length(ipc) = 5 ORDER BY 1")]
    provinces = [r[0] for r in q("SELECT region_code FROM regions WHERE level = 'province' "
                                 "AND region_code NOT IN ('320000', '710000', '810000', '820000') ORDER BY 1")]
    nC, N, Y = len(counties), int(firms), int(years)
    C = _lit(counties)
    cty = lambda i: f"{C}[1 + CAST(({i}) % {nC} AS INTEGER)]"  # noqa: E731  county of firm i
    uscc = lambda i: f"('91' || {cty(i)} || lpad(CAST({i} AS VARCHAR), 10, '0'))"  # noqa: E731

    def pick(values, hashed) -> str:
        return f"{_lit(values)}[1 + CAST({hashed} % {len(values)} AS INTEGER)]"

    t = {}
    q(f"""
        INSERT INTO firms (uscc, name, region_code, industry_code, ownership, is_branch, listed, founded_on,
                           srdi_level, single_champion)
        SELECT {uscc('i')}, 'benchmark firm ' || i, {cty('i')},
               CASE WHEN {u('i', 1)} < 0.55 THEN {pick(classes, h('i', 2))} ELSE {pick(other, h('i', 3))} END,
               CASE WHEN {u('i', 4)} < 0.70 THEN 'private' WHEN {u('i', 4)} < 0.78 THEN 'state'
                    WHEN {u('i', 4)} < 0.90 THEN 'foreign' WHEN {u('i', 4)} < 0.95 THEN 'hmt'
                    WHEN {u('i', 4)} < 0.98 THEN 'collective' ELSE 'other' END,
               {u('i', 5)} < 0.10, {u('i', 6)} < 0.005, DATE '1990-01-01' + CAST({h('i', 7)} % 12000 AS INTEGER),
               CASE WHEN {u('i', 8)} < 0.005 THEN 'little_giant' WHEN {u('i', 8)} < 0.05 THEN 'provincial'
                    ELSE 'none' END,
               {u('i', 9)} < 0.001
        FROM range({N}) r(i)""")
    # Firm-years: Pareto-tailed revenue, firm growth trend, 5% of firm-years missing.
    q(f"""
        INSERT INTO firm_years
        WITH b AS (
            SELECT i, {Y0} + k AS year,
                   2e6 / pow(greatest({u('i', 10)}, 1e-6), 0.8) * pow(0.95 + 0.2 * {u('i', 11)}, k)
                       * (0.9 + 0.2 * {u('i', 'k', 12)}) AS revenue
            FROM range({N}) r(i) CROSS JOIN range({Y}) y(k)
            WHERE {u('i', 'k', 13)} >= 0.05)
        SELECT {uscc('i')}, year, revenue, revenue * (0.85 + 0.3 * {u('i', 'year', 14)}),
               CAST(1 + revenue / 8e5 * (0.7 + 0.6 * {u('i', 15)}) AS INTEGER),
               revenue * 0.04 * {u('i', 16)} * {u('i', 'year', 17)},
               CASE WHEN {u('i', 18)} < 0.3 THEN revenue * 0.5 * {u('i', 'year', 19)} ELSE 0 END,
               revenue * (0.1 * {u('i', 'year', 20)} - 0.02)
        FROM b""")
    q(f"""
        INSERT INTO firm_chain_nodes
        SELECT {uscc('i')}, {pick(nodes, h('i', 21))}, true FROM range({N}) r(i) WHERE {u('i', 22)} < 0.2
        UNION ALL
        SELECT {uscc('i')}, {pick(nodes, h('i', 23))}, false FROM range({N}) r(i)
        WHERE {u('i', 22)} < 0.05 AND {h('i', 23)} % {len(nodes)} <> {h('i', 21)} % {len(nodes)}""")
    # Transactions: buyers skewed to low firm numbers; 30% local (same county), 35% elsewhere in
    # Jiangsu (1% of Jiangsu seller-years sell from Zhejiang: suppliers moving out), 20% other
    # provinces, 15% imported.
    per_county = N // nC
    provs = _lit(provinces)
    # Staged, then written as the loader writes one load of a file (``load_order``): firm keys
    # registered first, rows in the table's stored order (year, seller key, then file row).
    q(f"""
        CREATE TEMP TABLE _bench_transactions AS
        WITH b AS (
            SELECT n, CAST(floor({N} * pow({u('n', 30)}, 1.5)) AS BIGINT) AS buyer, {Y0} + {h('n', 31)} % {Y} AS year,
                   {u('n', 32)} AS mix
            FROM range({transactions}) r(n)),
        s AS (
            SELECT *, CASE WHEN mix < 0.30 THEN buyer % {nC} + {nC} * ({h('n', 33)} % {per_county})
                           WHEN mix < 0.65 THEN {h('n', 34)} % {N} END AS js,
                      CASE WHEN mix >= 0.65 AND mix < 0.85 THEN {h('n', 35)} % 100000 END AS os
            FROM b),
        s2 AS (SELECT *, CASE WHEN js = buyer THEN (CASE WHEN js + {nC} < {N} THEN js + {nC} ELSE js - {nC} END)
                              ELSE js END AS seller FROM s)
        SELECT n AS _row, 'T' || n AS transaction_id, year,
               CASE WHEN seller IS NOT NULL THEN {uscc('seller')}
                    WHEN os IS NOT NULL THEN '91' || {provs}[1 + CAST(os % {len(provinces)} AS INTEGER)][1:2]
                                             || '0100' || lpad(CAST(os AS VARCHAR), 10, '0') END AS seller_uscc,
               CASE WHEN seller IS NOT NULL THEN
                        CASE WHEN year >= {Y0 + 2} AND {u('seller', 'year', 36)} < 0.01 THEN '330106'
                             ELSE {cty('seller')} END
                    WHEN os IS NOT NULL THEN {provs}[1 + CAST(os % {len(provinces)} AS INTEGER)][1:2] || '0100'
               END AS seller_region_code,
               CASE WHEN mix < 0.85 THEN 'CHN' ELSE {pick(['DEU', 'JPN', 'USA', 'KOR'], h('n', 37))} END
                   AS seller_country,
               {uscc('buyer')} AS buyer_uscc, {cty('buyer')} AS buyer_region_code, 'CHN' AS buyer_country,
               {pick(nodes, h('n', 38))} AS node_id, {pick(products, h('n', 39))} AS hs6,
               1e4 / pow(greatest({u('n', 40)}, 1e-6), 0.7) AS amount_yuan
        FROM s2""")
    register_firm_keys(db, "_bench_transactions", ["seller_uscc", "buyer_uscc"])
    key_exprs, key_joins = keyed_select("transactions", "v")
    columns = [c.name for c in get_table("transactions").input_columns]
    keys = [c.name for c in get_table("transactions").key_columns]
    q(f"INSERT INTO transactions ({', '.join(columns + keys)}) "
      f"SELECT {', '.join(['v.' + c for c in columns] + key_exprs)} FROM _bench_transactions v {key_joins} "
      f"ORDER BY {load_order('transactions', 'v')}")
    q("DROP TABLE _bench_transactions")
    q(f"""
        INSERT INTO trade
        SELECT uscc, 'firm', year, 'export', {pick(products, h('uscc', 41))},
               {pick(['USA', 'DEU', 'JPN', 'KOR', 'VNM', 'GBR'], h('uscc', 42))}, exports_yuan / 7.0, NULL, NULL
        FROM firm_years WHERE exports_yuan > 0""")
    ipcs = lambda n: (f"CASE WHEN {u(n, 50)} < 0.6 THEN {pick(node_ipc, h(n, 51))} ELSE {pick(field_ipc, h(n, 52))} END"  # noqa: E731
                      f" || ' ' || CAST(1 + {h(n, 53)} % 99 AS VARCHAR) || '/' || lpad(CAST({h(n, 54)} % 100 AS VARCHAR), 2, '0')")
    q(f"""
        INSERT INTO patents
        WITH b AS (
            SELECT n, {u('n', 55)} AS who, CAST(floor({N} * pow({u('n', 56)}, 2)) AS BIGINT) AS a,
                   {h('n', 57)} % 100000 AS o, {u('n', 58)} AS ty,
                   DATE '{Y0}-01-01' + CAST({h('n', 59)} % ({Y} * 365) AS INTEGER) AS app
            FROM range({patents}) r(n))
        SELECT 'CN' || n,
               CASE WHEN who < 0.7 THEN {uscc('a')}
                    WHEN who < 0.9 THEN '91' || {provs}[1 + CAST(o % {len(provinces)} AS INTEGER)][1:2] || '0100'
                                        || lpad(CAST(o AS VARCHAR), 10, '0') END,
               'applicant ' || n,
               CASE WHEN who < 0.9 THEN 'CHN' ELSE {pick(['USA', 'JPN', 'DEU', 'KOR'], h('n', 60))} END,
               CASE WHEN who < 0.7 THEN {cty('a')}
                    WHEN who < 0.9 THEN {provs}[1 + CAST(o % {len(provinces)} AS INTEGER)][1:2] || '0100' END,
               app, CASE WHEN ty < 0.5 AND {u('n', 61)} < 0.5 THEN app + CAST(400 + {h('n', 62)} % 800 AS INTEGER) END,
               {ipcs('n')}, NULL,
               CASE WHEN ty < 0.5 THEN 'invention' WHEN ty < 0.9 THEN 'utility' ELSE 'design' END,
               {u('n', 63)} < 0.05
        FROM b""")
    n_tm = max(N // 5, 1)
    q(f"""
        INSERT INTO trademarks
        WITH b AS (SELECT n, CAST(floor({N} * pow({u('n', 70)}, 2)) AS BIGINT) AS o FROM range({n_tm}) r(n))
        SELECT 'TM' || n, {uscc('o')}, 'mark ' || n,
               CASE WHEN {u('n', 71)} < 0.7 THEN 'madrid' ELSE 'foreign_national' END,
               DATE '{Y0 - 4}-01-01' + CAST({h('n', 72)} % (({Y} + 4) * 365) AS INTEGER), 'USA;DEU', '9'
        FROM b""")
    # The nation (100000): ~10x Jiangsu's division and cluster totals (cluster factor varies).
    q(f"""
        INSERT INTO regional_employment
        SELECT '{NATION}', 'industry', substr(f.industry_code, 1, 2), y.year, sum(y.employment) * 10.5,
               count(*) * 10, NULL, sum(y.output_value_yuan) * 9.5, true
        FROM firm_years y JOIN firms f USING (uscc) GROUP BY 3, 4
        UNION ALL
        SELECT '{NATION}', 'cluster', ci.cluster_id, y.year,
               sum(y.employment) * (6 + hash(ci.cluster_id) % 10), count(*) * 8, NULL,
               sum(y.output_value_yuan) * (5 + hash(ci.cluster_id, 1) % 10), true
        FROM firm_years y JOIN firms f USING (uscc)
        JOIN cluster_industries ci ON starts_with(f.industry_code, ci.industry_code) GROUP BY 3, 4""")
    q("CHECKPOINT")
    for name in ("firms", "firm_years", "firm_chain_nodes", "transactions", "trade", "patents", "trademarks",
                 "regional_employment"):
        t[name] = q(f"SELECT count(*) FROM {name}")[0][0]
    con.disconnect()
    return t


# --------------------------------------------------------------------------------------------
# Workers (run in a fresh subprocess each)
# --------------------------------------------------------------------------------------------

def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _watchdog(limit_gb: float):
    """Abort the process (exit 3) when its RSS exceeds ``limit_gb`` (the machine has no swap)."""
    def loop():
        while True:
            if _rss_mb() > limit_gb * 1024:
                sys.stderr.write(f"RSS above {limit_gb} GB: aborted\n")
                os._exit(3)
            time.sleep(0.1)
    threading.Thread(target=loop, daemon=True).start()


#: Columns of a saved jiqun output (``--out``, ``--save-output``), sorted by the key.
OUTPUT_KEY = ["cluster_id", "region_code", "year", "indicator"]
OUTPUT_COLUMNS = OUTPUT_KEY + ["value", "n_firms", "top_firm_share"]


def worker_jiqun(store: str, out: str, subset: bool) -> dict:
    import jiqun
    from jiqun.metrics import write_indicator_results

    con = jiqun.connect(store)
    rss0 = _rss_mb()
    inds = SUBSET if subset else None
    started = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)  # as indicator_results.computed_at
    t0 = time.perf_counter()
    rows = write_indicator_results(con, indicators=inds)
    seconds = time.perf_counter() - t0
    res = {"seconds": seconds, "rows": rows, "rss_before_mb": rss0,
           "threads": con.con.execute("SELECT current_setting('threads')").fetchall()[0][0],
           "memory_limit": con.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]}
    if out:
        # Only the rows this run wrote: a reused store keeps the rows of earlier runs whose keys this run
        # did not produce, and those must not hide a missing key.
        where = f"WHERE computed_at >= TIMESTAMP '{started}'"
        if inds is not None:
            where += " AND indicator IN (" + ", ".join(f"'{i}'" for i in inds) + ")"
        con.con.execute(f"COPY (SELECT {', '.join(OUTPUT_COLUMNS)} FROM indicator_results {where} ORDER BY "
                        f"{', '.join(OUTPUT_KEY)}) TO '{out}' (FORMAT parquet)").fetchall()
    con.disconnect()
    return res


#: What the pandas baseline reads: table -> columns (None: all).
READ_COLUMNS = {
    "firms": ["uscc", "region_code", "industry_code", "ownership", "is_branch", "listed", "srdi_level",
              "single_champion"],
    "firm_years": ["uscc", "year", "revenue_yuan", "output_value_yuan", "employment", "rd_expenditure_yuan",
                   "exports_yuan"],
    "cluster_industries": None,
    "chain_nodes": ["node_id", "cluster_id"],
    "firm_chain_nodes": ["uscc", "node_id"],
    "transactions": ["year", "seller_uscc", "seller_region_code", "seller_country", "buyer_uscc", "amount_yuan"],
    "trademarks": ["registration_id", "owner_uscc", "registration_date"],
    "regional_employment": None,
    "patents": ["patent_id", "applicant_uscc", "applicant_region_code", "applicant_country", "application_date",
                "grant_date", "ipc_main", "patent_type", "pct"],
    "ipc_technology_fields": ["field_nr", "ipc"],
    "chain_node_technologies": ["node_id", "ipc"],
}
#: Columns of those tables that hold USCCs (firm identifiers).
USCC_COLUMNS = {"firms": ["uscc"], "firm_years": ["uscc"], "firm_chain_nodes": ["uscc"],
                "transactions": ["seller_uscc", "buyer_uscc"], "trademarks": ["owner_uscc"],
                "patents": ["applicant_uscc"]}


def read_tables(store: str):
    """The store's tables as DataFrames for the pandas baseline. USCCs (18-character text) are replaced
    by their rank among all USCCs read, as float64 (null stays NaN): at province scale the baseline
    does not fit in memory with 50M-row text keys, and the rank keeps the USCC order that breaks ties.
    Other text columns are pandas' default (pyarrow-backed) strings."""
    import duckdb

    db = duckdb.connect(store, read_only=True)
    every = " UNION ".join(f"SELECT {c} AS uscc FROM {t}" for t, cols in USCC_COLUMNS.items() for c in cols)
    db.execute("CREATE TEMP TABLE uscc_rank AS SELECT uscc, CAST(row_number() OVER (ORDER BY uscc) - 1 AS DOUBLE) "
               f"AS r FROM ({every}) WHERE uscc IS NOT NULL")
    d = {}
    for table, columns in READ_COLUMNS.items():
        keyed = USCC_COLUMNS.get(table, [])
        if columns is None:
            columns = [r[0] for r in db.execute(f"DESCRIBE {table}").fetchall()]
        select = ", ".join(f"k{keyed.index(c)}.r AS {c}" if c in keyed else f"t.{c}" for c in columns)
        joins = " ".join(f"LEFT JOIN uscc_rank k{i} ON t.{c} = k{i}.uscc" for i, c in enumerate(keyed))
        d[table] = db.sql(f"SELECT {select} FROM {table} t {joins}").to_arrow_table().to_pandas()
    db.close()
    return d


def worker_pandas(store: str, out: str, limit_gb: float) -> dict:
    _watchdog(limit_gb)
    rss0 = _rss_mb()
    t0 = time.perf_counter()
    tables = read_tables(store)
    read_s = time.perf_counter() - t0
    rss_read = _rss_mb()
    t0 = time.perf_counter()
    result = pandas_indicators(tables)
    seconds = time.perf_counter() - t0
    result.to_parquet(out, index=False)
    return {"read_seconds": read_s, "seconds": seconds, "rows": len(result), "rss_before_mb": rss0,
            "rss_after_read_mb": rss_read}


# --------------------------------------------------------------------------------------------
# The pandas baseline
# --------------------------------------------------------------------------------------------

def pandas_indicators(d: dict, k: int = 10, window: int = 5):
    """The SUBSET indicators (the whole catalogue) with pandas groupby/merge, long: cluster_id, region_code, year,
    indicator, value, n_firms. Assumes the store has national (100000) reference rows."""
    import numpy as np
    import pandas as pd

    K = ["cluster_id", "region_code", "year"]
    nan = np.nan
    out = []

    def sdiv(num, den):
        num = pd.Series(num, dtype="float64") if not isinstance(num, pd.Series) else num.astype("float64")
        den = den.astype("float64")
        return (num / den).where(den != 0)

    def emit(df, ind, value, n=None):
        part = pd.DataFrame({"cluster_id": df["cluster_id"].to_numpy(), "region_code": df["region_code"].to_numpy(),
                             "year": df["year"].to_numpy().astype("int64"), "indicator": ind,
                             "value": np.asarray(value, dtype="float64"),
                             "n_firms": (np.asarray(n, dtype="float64") if n is not None else nan)})
        out.append(part[part["value"].notna()])

    city = lambda s: s.str.slice(0, 4) + "00"  # noqa: E731
    prov = lambda s: s.str.slice(0, 2) + "0000"  # noqa: E731

    # Firm profile, membership, firm-years at city and province level.
    f = d["firms"].rename(columns={"region_code": "firm_region"})
    f["division"] = f["industry_code"].str.slice(0, 2)
    f["is_branch"] = f["is_branch"].fillna(False).astype(bool)
    f["listed"] = f["listed"].fillna(False).astype(bool)
    f["srdi_level"] = f["srdi_level"].fillna("none")
    f["single_champion"] = f["single_champion"].fillna(False).astype(bool)
    f["city"], f["prov"] = city(f["firm_region"]), prov(f["firm_region"])
    ci = d["cluster_industries"]
    parts = []
    for n in (2, 3, 4):
        m = ci[ci["industry_code"].str.len() == n].rename(columns={"industry_code": "member"})
        parts.append(f[["uscc"]].assign(member=f["industry_code"].str.slice(0, n)).merge(m, on="member")
                     [["uscc", "cluster_id"]])
    served = d["firm_chain_nodes"].merge(d["chain_nodes"], on="node_id")
    parts.append(served[["uscc", "cluster_id"]])
    membership = pd.concat(parts).drop_duplicates()

    fy0 = d["firm_years"].rename(columns={"revenue_yuan": "revenue", "output_value_yuan": "output",
                                          "rd_expenditure_yuan": "rd", "exports_yuan": "exports"})
    for c in ("revenue", "output", "employment", "rd", "exports"):
        fy0[c] = fy0[c].astype("float64")
    fy0 = fy0.merge(f.drop(columns=["industry_code"]), on="uscc")

    def at_levels(df):
        return pd.concat([df.assign(region_code=df["city"], level="city"),
                          df.assign(region_code=df["prov"], level="province")], ignore_index=True)

    # All firms' firm-years at levels, with the columns the region totals, Krugman and coverage read.
    fy_all = at_levels(fy0[["uscc", "year", "city", "prov", "division", "employment", "output"]])
    fy = at_levels(fy0.merge(membership, on="uscc"))
    del fy0, d["firm_years"]  # memory: at province scale the baseline needs every GB

    regions = fy_all.groupby(["region_code", "level", "year"], as_index=False).agg(
        e_r=("employment", "sum"), q_r=("output", "sum"), n_r=("uscc", "nunique"), max_r=("employment", "max"))

    re = d["regional_employment"]
    re = re[re["region_code"] == NATION]
    assert len(re), "the pandas baseline needs national reference rows (regional_employment 100000)"
    ref_c = re[re["classification"] == "cluster"].groupby(["sector_code", "year"], as_index=False).agg(
        e_c=("employment", "sum"), q_c=("output_value_yuan", "sum")).rename(columns={"sector_code": "cluster_id"})
    divs = re[(re["classification"] == "industry") & (re["sector_code"].str.len() == 2)]
    ref_all = divs.groupby("year", as_index=False).agg(e=("employment", "sum"), q=("output_value_yuan", "sum"))

    # Scale.
    fy["above"] = (fy["revenue"] >= 20_000_000).astype("int64")
    tot = fy.groupby(K + ["level"], as_index=False).agg(
        n=("uscc", "nunique"), output=("output", "sum"), output_max=("output", "max"),
        revenue=("revenue", "sum"), employment=("employment", "sum"), employment_max=("employment", "max"),
        n_above_size=("above", "sum"))
    emit(tot, "output_value", tot["output"], tot["n"])
    emit(tot, "revenue", tot["revenue"], tot["n"])
    emit(tot, "n_above_size", tot["n_above_size"], tot["n"])
    emit(tot, "employment", tot["employment"], tot["n"])
    c_rows = tot[tot["level"] == "city"].assign(prov_code=lambda x: prov(x["region_code"]))
    p_rows = tot[tot["level"] == "province"][["cluster_id", "year", "region_code", "output"]].rename(
        columns={"region_code": "prov_code", "output": "prov_output"})
    sh = c_rows.merge(p_rows, on=["cluster_id", "year", "prov_code"])
    emit(sh, "province_output_share", sdiv(sh["output"], sh["prov_output"]), sh["n"])

    # Growth.
    def with_prev(lag, cols):
        p = tot[K + list(cols)].rename(columns={c: c + "_prev" for c in cols})
        p = p.assign(year=p["year"] + lag)
        return tot.merge(p, on=K)

    yoy = with_prev(1, ("output", "employment"))
    emit(yoy, "output_growth_yoy", (yoy["output"] / yoy["output_prev"] - 1).where(yoy["output_prev"] > 0), yoy["n"])
    emit(yoy, "employment_growth_yoy",
         (yoy["employment"] / yoy["employment_prev"] - 1).where(yoy["employment_prev"] > 0), yoy["n"])
    cg = with_prev(window, ("output",))
    emit(cg, "output_cagr", ((cg["output"] / cg["output_prev"]) ** (1.0 / window) - 1).where(
        (cg["output_prev"] > 0) & (cg["output"] > 0)), cg["n"])
    ref = ref_c.merge(ref_all[["year", "e"]], on="year")
    ref_prev = ref[["cluster_id", "year", "e_c", "e"]].rename(columns={"e_c": "e_c_prev", "e": "e_prev"})
    ref = ref.merge(ref_prev.assign(year=ref_prev["year"] + 1), on=["cluster_id", "year"])
    ss = yoy.merge(ref, on=["cluster_id", "year"])
    ss = ss[(ss["region_code"] != NATION) & (ss["e_c_prev"] > 0) & (ss["e_prev"] > 0)]
    g_ref, g_c = ss["e"] / ss["e_prev"] - 1, ss["e_c"] / ss["e_c_prev"] - 1
    emit(ss, "ss_total_change", ss["employment"] - ss["employment_prev"], ss["n"])
    emit(ss, "ss_reference_growth", ss["employment_prev"] * g_ref, ss["n"])
    emit(ss, "ss_industry_mix", ss["employment_prev"] * (g_c - g_ref), ss["n"])
    emit(ss, "ss_local_competitiveness", (ss["employment"] - ss["employment_prev"]) - ss["employment_prev"] * g_c,
         ss["n"])

    # Specialisation.
    t = tot.merge(regions[["region_code", "year", "e_r", "q_r"]], on=["region_code", "year"])
    t = t.merge(ref_c, on=["cluster_id", "year"]).merge(ref_all, on="year")
    t = t[t["region_code"] != NATION]
    emit(t, "lq_employment", sdiv(sdiv(t["employment"], t["e_r"]), sdiv(t["e_c"], t["e"])), t["n"])
    emit(t, "lq_output", sdiv(sdiv(t["output"], t["q_r"]), sdiv(t["q_c"], t["q"])), t["n"])
    emit(t, "national_output_share", sdiv(t["output"], t["q_c"]), t["n"])
    rd = fy_all.groupby(["region_code", "year", "division"], as_index=False)["employment"].sum()
    rd["s_ri"] = rd["employment"] / rd.groupby(["region_code", "year"])["employment"].transform("sum")
    refd = divs.groupby(["sector_code", "year"], as_index=False)["employment"].sum().rename(
        columns={"sector_code": "division"})
    refd["s_i"] = refd["employment"] / refd.groupby("year")["employment"].transform("sum")
    both = rd[["region_code", "year", "division", "s_ri"]].merge(
        rd[["region_code", "year"]].drop_duplicates().merge(refd[["year", "division", "s_i"]], on="year"),
        on=["region_code", "year", "division"], how="outer").fillna({"s_ri": 0.0, "s_i": 0.0})
    both["d"] = (both["s_ri"] - both["s_i"]).abs()
    kr = both.groupby(["region_code", "year"], as_index=False)["d"].sum().merge(regions, on=["region_code", "year"])
    kr = kr[kr["region_code"] != NATION].assign(cluster_id="all")
    emit(kr, "krugman_index", kr["d"], kr["n_r"])

    # Concentration.
    c = fy[fy["revenue"] > 0][K + ["uscc", "revenue"]]
    c = c.assign(share=c["revenue"] / c.groupby(K)["revenue"].transform("sum"))
    c = c.sort_values(K + ["revenue", "uscc"], ascending=[True, True, True, False, True])
    c["rank"] = c.groupby(K).cumcount()
    c["sq"] = c["share"] ** 2
    c["s4"] = c["share"].where(c["rank"] < 4, 0.0)
    c["s10"] = c["share"].where(c["rank"] < 10, 0.0)
    cw = c.groupby(K, as_index=False).agg(n=("uscc", "nunique"), hhi=("sq", "sum"), cr4=("s4", "sum"),
                                           cr10=("s10", "sum"))
    emit(cw, "hhi", cw["hhi"], cw["n"])
    emit(cw, "cr4", cw["cr4"], cw["n"])
    emit(cw, "cr10", cw["cr10"], cw["n"])
    # Ellison-Glaeser over the cities of the province.
    x = regions[regions["level"] == "city"][["region_code", "year", "e_r"]].copy()
    x["prov"] = prov(x["region_code"])
    x["x_r"] = x["e_r"] / x.groupby(["prov", "year"])["e_r"].transform("sum")
    sx2 = x.assign(x2=x["x_r"] ** 2).groupby(["prov", "year"], as_index=False)["x2"].sum()
    e = fy[(fy["level"] == "city") & (fy["employment"] > 0)][["cluster_id", "region_code", "year", "uscc",
                                                                "employment"]].copy()
    e["prov"] = prov(e["region_code"])
    e["sq"] = e["employment"] ** 2
    etot = e.groupby(["cluster_id", "prov", "year"], as_index=False).agg(
        e_c=("employment", "sum"), n=("uscc", "nunique"), sum_sq=("sq", "sum"))
    etot["herf"] = etot["sum_sq"] / (etot["e_c"] * etot["e_c"])
    ecity = e.groupby(["cluster_id", "prov", "region_code", "year"], as_index=False)["employment"].sum()
    grid = etot[["cluster_id", "prov", "year", "e_c"]].merge(x[["prov", "year", "region_code", "x_r"]],
                                                             on=["prov", "year"])
    grid = grid.merge(ecity, on=["cluster_id", "prov", "region_code", "year"], how="left")
    grid["g"] = (grid["employment"].fillna(0) / grid["e_c"] - grid["x_r"]) ** 2
    eg = grid.groupby(["cluster_id", "prov", "year"], as_index=False)["g"].sum().merge(
        etot, on=["cluster_id", "prov", "year"]).merge(sx2, on=["prov", "year"])
    eg["region_code"] = eg["prov"]
    emit(eg, "ellison_glaeser", sdiv(eg["g"] - (1 - eg["x2"]) * eg["herf"], (1 - eg["x2"]) * (1 - eg["herf"])),
         eg["n"])

    # Leading firms.
    fy["rev0"] = fy["revenue"].fillna(0)
    fy = fy.sort_values(K + ["rev0", "uscc"], ascending=[True, True, True, False, True])
    fy["is_leader"] = fy.groupby(K).cumcount() < k
    fy["lead_output"] = fy["output"].where(fy["is_leader"])
    fy["lead_branch"] = (fy["is_leader"] & fy["is_branch"]).astype("int64")
    lw = fy.groupby(K, as_index=False).agg(
        n=("uscc", "nunique"), output=("output", "sum"), output_max=("output", "max"),
        lead_output=("lead_output", "sum"), n_leaders=("is_leader", "sum"), n_branch=("lead_branch", "sum"))
    emit(lw, "leader_output_share", sdiv(lw["lead_output"], lw["output"]), lw["n"])
    emit(lw, "top_firm_output_share", sdiv(lw["output_max"], lw["output"]), lw["n"])
    emit(lw, "leader_branch_share", sdiv(lw["n_branch"], lw["n_leaders"]), lw["n_leaders"])

    tx = d["transactions"]
    tx["amount_yuan"] = tx["amount_yuan"].astype("float64")
    sales_all = tx[tx["seller_uscc"].notna()].groupby(["seller_uscc", "year"], as_index=False)["amount_yuan"].sum()
    sales_all = sales_all.rename(columns={"amount_yuan": "sales_all"})
    dom = tx[tx["seller_uscc"].notna() & (tx["seller_country"].fillna("CHN") == "CHN")
             & tx["seller_region_code"].notna()][["seller_uscc", "buyer_uscc", "year", "amount_yuan",
                                                  "seller_region_code"]]
    buyers = fy[["uscc", "year", "cluster_id", "region_code", "level", "is_leader"]].rename(
        columns={"uscc": "buyer_uscc"})
    per_sup = []
    for lv, fn in (("city", city), ("province", prov)):  # one level at a time (memory)
        dom["region_code"] = fn(dom["seller_region_code"])
        b = buyers[buyers["level"] == lv].drop(columns="level")
        loc = dom.drop(columns="seller_region_code").merge(b, on=["buyer_uscc", "year", "region_code"])
        loc["to_leaders"] = loc["amount_yuan"].where(loc["is_leader"], 0.0)
        per_sup.append(loc.groupby(K + ["seller_uscc"], as_index=False)["to_leaders"].sum())
        del loc
    ps = pd.concat(per_sup).merge(sales_all, on=["seller_uscc", "year"])
    dw = ps.groupby(K, as_index=False).agg(n=("seller_uscc", "nunique"), to_leaders=("to_leaders", "sum"),
                                           sales=("sales_all", "sum"))
    emit(dw, "leader_driving_power", sdiv(dw["to_leaders"], dw["sales"]), dw["n"])
    del dom, ps, per_sup

    # Openness.
    tm = d["trademarks"]
    tm = tm[tm["owner_uscc"].notna()].assign(year=pd.to_datetime(tm["registration_date"]).dt.year.astype("int64"))
    per_year = tm.groupby(["owner_uscc", "year"], as_index=False)["registration_id"].nunique().rename(
        columns={"owner_uscc": "uscc", "registration_id": "tm"})
    first = tm.groupby("owner_uscc", as_index=False)["year"].min().rename(
        columns={"owner_uscc": "uscc", "year": "first_year"})
    o = fy[K + ["uscc", "exports", "revenue"]].merge(per_year, on=["uscc", "year"], how="left").merge(
        first, on="uscc", how="left")
    o["tm"] = o["tm"].fillna(0)
    o["holds"] = (o["first_year"] <= o["year"]).astype("int64")
    ow = o.groupby(K, as_index=False).agg(n=("uscc", "nunique"), exports=("exports", "sum"),
                                          revenue=("revenue", "sum"), tm=("tm", "sum"), holders=("holds", "sum"))
    emit(ow, "export_share", sdiv(ow["exports"], ow["revenue"]), ow["n"])
    emit(ow, "intl_trademarks", ow["tm"], ow["n"])
    emit(ow, "firms_with_intl_trademarks", ow["holders"], ow["n"])

    # Chain integration: purchases of the cluster's firms (mix per buyer x year first, then clusters).
    fr = f[["uscc", "firm_region"]].rename(columns={"uscc": "buyer_uscc"})
    p = tx[tx["buyer_uscc"].notna()][["buyer_uscc", "year", "seller_region_code", "seller_country",
                                      "amount_yuan"]].merge(fr, on="buyer_uscc")
    country = p["seller_country"].fillna("CHN")
    domestic = (country == "CHN") & p["seller_region_code"].notna()
    sr = p["seller_region_code"].fillna("")
    p["city"] = p["amount_yuan"].where(domestic & (city(sr) == city(p["firm_region"])), 0.0)
    p["prov"] = p["amount_yuan"].where(domestic & (prov(sr) == prov(p["firm_region"])), 0.0)
    p["imp"] = p["amount_yuan"].where(country != "CHN", 0.0)
    pb = p.groupby(["buyer_uscc", "year"], as_index=False)[["amount_yuan", "city", "prov", "imp"]].sum()
    del p, sr, country, domestic
    pw = fy[K + ["uscc"]].merge(pb.rename(columns={"buyer_uscc": "uscc"}), on=["uscc", "year"])
    pw = pw.groupby(K, as_index=False).agg(n=("uscc", "nunique"), total=("amount_yuan", "sum"),
                                           city=("city", "sum"), prov=("prov", "sum"), imp=("imp", "sum"))
    emit(pw, "local_supporting_rate_city", sdiv(pw["city"], pw["total"]), pw["n"])
    emit(pw, "local_supporting_rate_province", sdiv(pw["prov"], pw["total"]), pw["n"])
    emit(pw, "import_share_purchases", sdiv(pw["imp"], pw["total"]), pw["n"])

    keys = fy.groupby(K, as_index=False)["uscc"].nunique().rename(columns={"uscc": "n"})
    active = fy_all[["uscc", "year", "region_code"]].drop_duplicates()
    seg = served[["uscc", "node_id", "cluster_id"]].merge(active, on="uscc")
    covered = seg.groupby(K, as_index=False)["node_id"].nunique().rename(columns={"node_id": "covered"})
    n_nodes = d["chain_nodes"].groupby("cluster_id", as_index=False)["node_id"].nunique().rename(
        columns={"node_id": "n_nodes"})
    cv = keys.merge(n_nodes, on="cluster_id").merge(covered, on=K, how="left")
    emit(cv, "chain_segment_coverage", sdiv(cv["covered"].fillna(0), cv["n_nodes"]), cv["n"])

    # Suppliers moved out: seller located (max region code) in the buyer's province in t-1, outside in t.
    located = tx[tx["seller_uscc"].notna() & tx["seller_region_code"].notna()].groupby(
        ["seller_uscc", "year"], as_index=False)["seller_region_code"].max()
    nxt = located.assign(year=located["year"] - 1).rename(columns={"seller_region_code": "loc_next"})
    mv = located.merge(nxt, on=["seller_uscc", "year"])
    mv = mv[prov(mv["seller_region_code"]) != prov(mv["loc_next"])]
    mv = mv.assign(ploc=prov(mv["seller_region_code"]))[["seller_uscc", "year", "ploc"]]
    mt = tx[tx["buyer_uscc"].notna()][["seller_uscc", "buyer_uscc", "year"]].merge(mv, on=["seller_uscc", "year"])
    mt = mt.merge(fy[K + ["uscc", "prov"]].rename(columns={"uscc": "buyer_uscc"}), on=["buyer_uscc", "year"])
    mt = mt[mt["prov"] == mt["ploc"]]
    counts = mt.groupby(K, as_index=False)["seller_uscc"].nunique().rename(columns={"seller_uscc": "moved"})
    counts["year"] += 1
    prev_keys = keys[K].assign(year=keys["year"] + 1)
    mo = keys[K].merge(prev_keys, on=K).merge(counts, on=K, how="left")
    mo["moved"] = mo["moved"].fillna(0)
    emit(mo, "suppliers_moved_out", mo["moved"], mo["moved"])

    # Firm quality.
    fy["q_srdi"] = fy["srdi_level"].isin(["provincial", "little_giant"]).astype("int64")
    fy["q_giant"] = (fy["srdi_level"] == "little_giant").astype("int64")
    fy["f_output"] = fy["output"].where(fy["ownership"].isin(["foreign", "hmt"]), 0.0)
    qw = fy.groupby(K, as_index=False).agg(
        n=("uscc", "nunique"), srdi=("q_srdi", "sum"), giants=("q_giant", "sum"),
        champions=("single_champion", "sum"), listed=("listed", "sum"), output=("output", "sum"),
        f_output=("f_output", "sum"))
    emit(qw, "n_srdi", qw["srdi"], qw["n"])
    emit(qw, "n_little_giants", qw["giants"], qw["n"])
    emit(qw, "n_single_champions", qw["champions"], qw["n"])
    emit(qw, "n_listed", qw["listed"], qw["n"])
    emit(qw, "foreign_output_share", sdiv(qw["f_output"], qw["output"]), qw["n"])
    pandas_innovation(d, fy, emit, sdiv)
    return pd.concat(out, ignore_index=True)


def pandas_innovation(d: dict, fy, emit, sdiv, levels=("city", "province")) -> None:
    """The 9 innovation indicators with pandas (see src/jiqun/metrics/innovation.py for the formulas):
    ``fy`` = cluster firm-years at levels (columns of :func:`pandas_indicators`)."""
    import re as regex

    import numpy as np
    import pandas as pd

    K = ["cluster_id", "region_code", "year"]

    def norm(ipc: str) -> str:  # IPC symbol -> PATSTAT padding: subclass + group right-aligned in 4 + "/" + subgroup
        s = ipc.strip().upper()
        sub, rest = s[:4], s[4:].strip()
        if not rest:
            return sub
        group, _, subgroup = rest.partition("/")
        return sub + group.rjust(4) + "/" + subgroup

    pats = d["ipc_technology_fields"][["field_nr", "ipc"]]
    by_subclass: dict[str, list] = {}  # patterns indexed by their IPC subclass (a pattern never spans two)
    for f, pat in zip(pats["field_nr"], pats["ipc"]):
        rx = regex.compile("^" + regex.escape(pat).replace("%", ".*").replace("_", ".") + "$", regex.S)
        by_subclass.setdefault(pat[:4], []).append((int(f), pat, rx))

    def fields_of(ipc: str) -> list[tuple[int, str]]:
        n = norm(ipc)
        return [(f, pat) for f, pat, rx in by_subclass.get(n[:4], ()) if rx.match(n) or len(n) == 4]

    def best_field(ipc):  # most specific pattern, then the lowest field number
        if ipc is None or (isinstance(ipc, float) and np.isnan(ipc)):
            return np.nan
        hits = fields_of(ipc)
        return min(hits, key=lambda fp: (-len(fp[1]), fp[0]))[0] if hits else np.nan

    p = d["patents"].copy()
    p["country"] = p["applicant_country"].fillna("CHN")
    p["app_year"] = pd.to_datetime(p["application_date"]).dt.year
    p["grant_year"] = pd.to_datetime(p["grant_date"]).dt.year
    p["is_invention"] = p["patent_type"] == "invention"
    p["pct"] = p["pct"].fillna(False).astype(bool)
    field_by_ipc = {ipc: best_field(ipc) for ipc in p["ipc_main"].dropna().unique()}
    p["field_nr"] = p["ipc_main"].map(field_by_ipc)

    tech = d["chain_node_technologies"].merge(d["chain_nodes"], on="node_id")[["cluster_id", "ipc"]].drop_duplicates()
    cf = pd.DataFrame([(c, f) for c, ipc in zip(tech["cluster_id"], tech["ipc"]) for f, _ in fields_of(ipc)],
                      columns=["cluster_id", "field_nr"]).drop_duplicates()

    # R&D intensity, invention applications and grants per employee and per output, PCT.
    pf = p[p["applicant_uscc"].notna()]
    apps = pf.groupby(["applicant_uscc", "app_year"], as_index=False).agg(apps=("is_invention", "sum"),
                                                                          pct=("pct", "sum"))
    apps = apps.rename(columns={"applicant_uscc": "uscc", "app_year": "year"})
    grants = pf[pf["grant_year"].notna()].groupby(["applicant_uscc", "grant_year"], as_index=False).agg(
        grants=("is_invention", "sum")).rename(columns={"applicant_uscc": "uscc", "grant_year": "year"})
    grants["year"] = grants["year"].astype("int64")
    base = fy.merge(apps, on=["uscc", "year"], how="left").merge(grants, on=["uscc", "year"], how="left")
    for c in ("apps", "pct", "grants"):
        base[c] = base[c].fillna(0).astype("float64")
    w = base.groupby(K, as_index=False).agg(
        n=("uscc", "nunique"), rd=("rd", "sum"), revenue=("revenue", "sum"), employment=("employment", "sum"),
        output=("output", "sum"), apps=("apps", "sum"), grants=("grants", "sum"), pct=("pct", "sum"))
    emit(w, "rd_intensity", sdiv(w["rd"], w["revenue"]), w["n"])
    emit(w, "invention_apps_per_10k_emp", sdiv(10_000 * w["apps"], w["employment"]), w["n"])
    emit(w, "invention_grants_per_10k_emp", sdiv(10_000 * w["grants"], w["employment"]), w["n"])
    emit(w, "invention_apps_per_100m_output", sdiv(w["apps"], w["output"] / 1e8), w["n"])
    emit(w, "invention_grants_per_100m_output", sdiv(w["grants"], w["output"] / 1e8), w["n"])
    emit(w, "pct_applications", w["pct"], w["n"])

    # Cluster firms' share of national invention applications in the cluster's fields.
    inv = p[p["is_invention"] & p["field_nr"].notna()]
    in_fields = inv.merge(cf, on="field_nr")
    nat = in_fields[in_fields["country"] == "CHN"].groupby(["cluster_id", "app_year"], as_index=False).agg(
        nat=("patent_id", "nunique")).rename(columns={"app_year": "year"})
    ff = in_fields[in_fields["applicant_uscc"].notna()].groupby(
        ["cluster_id", "applicant_uscc", "app_year"], as_index=False).agg(a=("patent_id", "nunique"))
    ff = ff.rename(columns={"applicant_uscc": "uscc", "app_year": "year"})
    sh = fy[K + ["uscc"]].merge(ff, on=["cluster_id", "uscc", "year"]).groupby(K, as_index=False).agg(
        a=("a", "sum"), n=("uscc", "nunique")).merge(nat, on=["cluster_id", "year"])
    emit(sh, "national_patent_share", sdiv(sh["a"], sh["nat"]), sh["n"])

    # RTA of all applicants located in the region, in the cluster's fields.
    chn = inv[(inv["country"] == "CHN") & inv["applicant_region_code"].notna()]
    p_n = chn.groupby("app_year", as_index=False).agg(p_n=("patent_id", "nunique")).rename(columns={"app_year": "year"})
    p_nf = nat.rename(columns={"nat": "p_nf"})
    lv = pd.concat([chn.assign(region_code=chn["applicant_region_code"].str.slice(0, 4) + "00"),
                    chn.assign(region_code=chn["applicant_region_code"].str.slice(0, 2) + "0000")][:len(levels)],
                   ignore_index=True)
    p_r = lv.groupby(["region_code", "app_year"], as_index=False).agg(p_r=("patent_id", "nunique")).rename(
        columns={"app_year": "year"})
    per_app = lv.merge(cf, on="field_nr").groupby(["cluster_id", "region_code", "applicant_uscc", "app_year"],
                                                   as_index=False).agg(k=("patent_id", "nunique"))
    rf = per_app.groupby(["cluster_id", "region_code", "app_year"], as_index=False).agg(
        p_rf=("k", "sum"), n=("applicant_uscc", "nunique")).rename(columns={"app_year": "year"})
    rta = rf.merge(p_r, on=["region_code", "year"]).merge(p_n, on="year").merge(p_nf, on=["cluster_id", "year"])
    rta = rta.merge(w[K], on=K)  # only units with cluster firms (other provinces stay in the reference)
    emit(rta, "rta_cluster_fields", sdiv(sdiv(rta["p_rf"], rta["p_r"]), sdiv(rta["p_nf"], rta["p_n"])), rta["n"])

    # Share of the invention applications in the cluster's fields filed by foreign applicants (national).
    fa = in_fields.assign(foreign=(in_fields["country"] != "CHN").astype("int64")).groupby(
        ["cluster_id", "app_year"], as_index=False).agg(total=("patent_id", "nunique"), foreign=("foreign", "sum"))
    fa = fa.rename(columns={"app_year": "year"}).assign(region_code=NATION)
    emit(fa, "foreign_applicant_share", sdiv(fa["foreign"], fa["total"]), None)



# --------------------------------------------------------------------------------------------
# Orchestration
# --------------------------------------------------------------------------------------------

def run_worker(args: list[str]) -> dict:
    """Run this script as a worker subprocess; return its JSON report plus ``peak_rss_mb`` (wait4)."""
    proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), *args], stdout=subprocess.PIPE)
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak = usage.ru_maxrss / 1024  # KiB on Linux
    if proc.returncode != 0:
        return {"failed": proc.returncode, "peak_rss_mb": peak}
    rep = json.loads(stdout.decode().strip().splitlines()[-1])
    rep["peak_rss_mb"] = peak
    return rep


def compare(a_path: str, b_path: str) -> dict:
    import numpy as np
    import pandas as pd

    a = pd.read_parquet(a_path)
    b = pd.read_parquet(b_path)
    key = ["cluster_id", "region_code", "year", "indicator"]
    for df in (a, b):
        df["year"] = df["year"].astype("int64")
    m = a.merge(b, on=key, how="outer", suffixes=("_j", "_p"), indicator=True)
    both = m[m["_merge"] == "both"]
    vj, vp = both["value_j"].to_numpy("float64"), both["value_p"].to_numpy("float64")
    close = np.isclose(vj, vp, rtol=1e-9, atol=0.0, equal_nan=True)
    nj, np_ = both["n_firms_j"].to_numpy("float64"), both["n_firms_p"].to_numpy("float64")
    n_ok = (nj == np_) | (np.isnan(nj) & np.isnan(np_))
    bad = both[~close]
    return {
        "rows_jiqun": len(a), "rows_pandas": len(b), "rows_compared": len(both),
        "only_jiqun": int((m["_merge"] == "left_only").sum()), "only_pandas": int((m["_merge"] == "right_only").sum()),
        "max_abs_diff": float(np.nanmax(np.abs(vj - vp))) if len(both) else float("nan"),
        "max_rel_diff": float(np.nanmax(np.abs(vj - vp) / np.maximum(np.abs(vj), 1e-300))) if len(both) else float("nan"),
        "values_match": bool(close.all()), "n_firms_match": bool(n_ok.all()),
        "mismatch_by_indicator": bad["indicator"].value_counts().to_dict(),
        "only_jiqun_by_indicator": m[m["_merge"] == "left_only"]["indicator"].value_counts().to_dict(),
        "only_pandas_by_indicator": m[m["_merge"] == "right_only"]["indicator"].value_counts().to_dict(),
        "indicators_compared": int(both["indicator"].nunique()),
    }


#: Tolerance of ``--compare-to``: a new engine must give today's numbers up to the order of float sums.
REFERENCE_RTOL = 1e-12
#: Growth rates (ratio minus 1, see ``indicators.yaml``), compared as 1 + g: near zero growth the subtraction
#: cancels, and two runs of the same engine differ by up to ~5e-12 relative in g (parallel float sums) while
#: 1 + g agrees to ~1e-15.
GROWTH_RATES = ("output_growth_yoy", "employment_growth_yoy", "output_cagr")


def _rel_diff(got, want):
    """Largest ``|got - want| / |want|`` over the pairs that are not null (0.0 for none)."""
    import numpy as np

    known = ~np.isnan(got - want)
    rel = np.abs(got - want)[known] / np.maximum(np.abs(want[known]), 1e-300)
    return float(rel.max()) if rel.size else 0.0


def compare_to_reference(output_path: str, reference_path: str, rtol: float = REFERENCE_RTOL) -> dict:
    """Compare a saved jiqun output with a reference one (both with :data:`OUTPUT_COLUMNS`, e.g. from
    ``--save-output``): the same keys (cluster_id, region_code, year, indicator), ``value`` (growth rates
    as 1 + g, :data:`GROWTH_RATES`) and ``top_firm_share`` within ``rtol`` (atol 0; null equals null),
    ``n_firms`` exactly equal, over the indicators the reference has (ids added since are listed in
    ``indicators_added``). ``identical`` is true when all three hold; ``strict_mismatch_by_indicator``
    counts the values outside ``rtol`` when growth rates are compared as g itself."""
    import numpy as np
    import pandas as pd

    output, reference = pd.read_parquet(output_path), pd.read_parquet(reference_path)
    for df in (output, reference):
        df["year"] = df["year"].astype("int64")
    # Indicators added to the catalogue since the reference was saved have nothing to be compared with:
    # they are listed, not counted as differences (an id the reference has and the output lacks still is).
    added = sorted(set(output["indicator"]) - set(reference["indicator"]))
    output = output[~output["indicator"].isin(added)]
    m = output.merge(reference, on=OUTPUT_KEY, how="outer", suffixes=("_out", "_ref"), indicator=True)
    both = m[m["_merge"] == "both"]

    def pair(column: str, shift=0.0):
        return both[f"{column}_out"].to_numpy("float64") + shift, both[f"{column}_ref"].to_numpy("float64") + shift

    growth = both["indicator"].isin(GROWTH_RATES).to_numpy()
    got, want = pair("value", np.where(growth, 1.0, 0.0))
    values_ok = np.isclose(got, want, rtol=rtol, atol=0.0, equal_nan=True)
    strict_ok = np.isclose(*pair("value"), rtol=rtol, atol=0.0, equal_nan=True)
    share_ok = np.isclose(*pair("top_firm_share"), rtol=rtol, atol=0.0, equal_nan=True)
    n_out, n_ref = pair("n_firms")
    n_ok = (n_out == n_ref) | (np.isnan(n_out) & np.isnan(n_ref))
    only_output, only_reference = int((m["_merge"] == "left_only").sum()), int((m["_merge"] == "right_only").sum())
    report = {
        "rows_output": len(output), "rows_reference": len(reference), "rows_compared": len(both),
        "only_output": only_output, "only_reference": only_reference, "rtol": rtol,
        "max_rel_diff": _rel_diff(got, want), "max_rel_diff_strict": _rel_diff(*pair("value")),
        "values_match": bool(values_ok.all()), "top_firm_share_match": bool(share_ok.all()),
        "n_firms_match": bool(n_ok.all()),
        "mismatch_by_indicator": both[~(values_ok & share_ok & n_ok)]["indicator"].value_counts().to_dict(),
        "strict_mismatch_by_indicator": both[~strict_ok]["indicator"].value_counts().to_dict(),
        "only_output_by_indicator": m[m["_merge"] == "left_only"]["indicator"].value_counts().to_dict(),
        "only_reference_by_indicator": m[m["_merge"] == "right_only"]["indicator"].value_counts().to_dict(),
        "indicators_compared": int(both["indicator"].nunique()), "indicators_added": added,
    }
    report["identical"] = (only_output == 0 and only_reference == 0 and report["values_match"]
                           and report["top_firm_share_match"] and report["n_firms_match"])
    return report


def _gb(mb: float) -> str:
    return f"{mb / 1024:.2f} GB"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--firms", type=int, default=1_000_000)
    ap.add_argument("--years", type=int, default=8)
    ap.add_argument("--transactions", type=int, default=50_000_000)
    ap.add_argument("--patents", type=int, default=2_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip-pandas", action="store_true", help="only time jiqun")
    ap.add_argument("--pandas-fraction", type=float, default=1.0,
                    help="run the pandas comparison on a second store scaled by this fraction")
    ap.add_argument("--pandas-mem-limit-gb", type=float, default=22.0,
                    help="abort the pandas worker above this RSS (the comparison is then reported as failed)")
    ap.add_argument("--store", type=Path, default=None, help="reuse (or build, if absent) the store at this path")
    ap.add_argument("--keep", action="store_true", help="keep the built store(s)")
    ap.add_argument("--save-output", type=Path, default=None, metavar="PATH",
                    help="write jiqun's full-catalogue output to this Parquet file (sorted by cluster_id, "
                         "region_code, year, indicator; value, n_firms, top_firm_share)")
    ap.add_argument("--compare-to", type=Path, default=None, metavar="PATH",
                    help="check jiqun's full-catalogue output against this Parquet file (written by "
                         f"--save-output): same keys, value and top_firm_share within rtol {REFERENCE_RTOL:g}, "
                         "n_firms equal; exit 1 when they differ")
    ap.add_argument("--worker", choices=["jiqun", "jiqun-subset", "pandas"], help=argparse.SUPPRESS)
    ap.add_argument("--out", default="", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        if args.worker == "pandas":
            rep = worker_pandas(str(args.store), args.out, args.pandas_mem_limit_gb)
        else:
            rep = worker_jiqun(str(args.store), args.out, args.worker == "jiqun-subset")
        print(json.dumps(rep, default=str))
        return 0

    if args.compare_to is not None and not args.compare_to.is_file():
        print(f"error: --compare-to {args.compare_to}: no such file", file=sys.stderr)
        return 2
    if args.save_output is not None and not args.save_output.parent.is_dir():
        print(f"error: --save-output {args.save_output}: folder {args.save_output.parent} does not exist",
              file=sys.stderr)
        return 2

    import duckdb
    import pandas as pd
    import platform
    import jiqun

    folder = Path(tempfile.mkdtemp(prefix="jiqun-bench-ind-"))
    store = args.store or folder / "province.duckdb"
    print(f"# jiqun {jiqun.__version__}, duckdb {duckdb.__version__}, pandas {pd.__version__}, python "
          f"{platform.python_version()}, {os.cpu_count()} cpus, {platform.machine()}", flush=True)

    def ensure(path: Path, fraction: float) -> None:
        if path.exists():
            print(f"# reusing store {path} ({path.stat().st_size / 1e9:.1f} GB)", flush=True)
            return
        sizes = dict(firms=max(int(args.firms * fraction), 100), years=args.years,
                     transactions=max(int(args.transactions * fraction), 1000),
                     patents=max(int(args.patents * fraction), 100))
        t0 = time.perf_counter()
        counts = build_store(path, seed=args.seed, **sizes)
        print(f"# built store {path} in {time.perf_counter() - t0:.1f} s (not part of the measured figures; "
              f"ingest and its USCC validation are bypassed, USCC check digits are not valid): "
              + ", ".join(f"{k} {v:,}" for k, v in counts.items()), flush=True)

    try:
        ensure(store, 1.0)
        cnt = duckdb.connect(str(store), read_only=True)
        sizes = {t: cnt.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                 for t in ("firms", "firm_years", "transactions", "patents", "trademarks")}
        cnt.close()
        from jiqun.metrics.engine import catalogue_ids

        # When the baseline covers the whole catalogue on the same store, the full run is the one compared.
        jout, pout = str(folder / "jiqun.parquet"), str(folder / "pandas.parquet")
        reuse = (not args.skip_pandas and args.pandas_fraction >= 1.0 and set(SUBSET) == set(catalogue_ids()))
        keep_output = args.save_output is not None or args.compare_to is not None
        full_out = jout if reuse else str(folder / "jiqun-full.parquet") if keep_output else ""
        full = run_worker(["--worker", "jiqun", "--store", str(store)] + (["--out", full_out] if full_out else []))
        print(f"# jiqun full catalogue: {json.dumps(full, default=str)}", flush=True)
        reference = None
        if keep_output and "failed" not in full:
            if args.save_output is not None:
                shutil.copyfile(full_out, args.save_output)
                print(f"# saved jiqun's output to {args.save_output}", flush=True)
            if args.compare_to is not None:
                reference = compare_to_reference(full_out, str(args.compare_to))
                print(f"# comparison with {args.compare_to}: {json.dumps(reference, default=str)}", flush=True)

        cmp_store = store
        if not args.skip_pandas and args.pandas_fraction < 1.0:
            cmp_store = folder / f"fraction-{args.pandas_fraction:g}.duckdb"
            ensure(cmp_store, args.pandas_fraction)
        sub = pan = cmpr = None
        if not args.skip_pandas:
            if reuse:
                sub = full
            else:
                sub = run_worker(["--worker", "jiqun-subset", "--store", str(cmp_store), "--out", jout])
                print(f"# jiqun subset: {json.dumps(sub, default=str)}", flush=True)
            pan = run_worker(["--worker", "pandas", "--store", str(cmp_store), "--out", pout,
                              "--pandas-mem-limit-gb", str(args.pandas_mem_limit_gb)])
            print(f"# pandas: {json.dumps(pan, default=str)}", flush=True)
            if "failed" not in pan and "failed" not in sub:
                cmpr = compare(jout, pout)
                print(f"# comparison: {json.dumps(cmpr, default=str)}", flush=True)

        # ---- the table ----
        print()
        print("dataset: " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()) + f" ({store.stat().st_size / 1e9:.1f} GB"
              f" DuckDB file; DuckDB threads {full.get('threads')}, memory_limit {full.get('memory_limit')})")
        if cmp_store != store:
            print(f"comparison run on a {args.pandas_fraction:g} fraction of that dataset ({cmp_store.name})")
        w = 44
        print(f"{'':{w}} {'time':>10} {'peak RSS':>10} {'rows':>10}")
        if "failed" in full:
            print(f"{f'jiqun, full catalogue ({len(catalogue_ids())} indicators)':{w}} FAILED (exit {full['failed']})")
        else:
            print(f"{f'jiqun, full catalogue ({len(catalogue_ids())} indicators)':{w}} {full['seconds']:9.1f}s {_gb(full['peak_rss_mb']):>10}"
                  f" {full['rows']:>10,}")
        if sub and "failed" not in sub:
            print(f"{'jiqun, baseline subset (' + str(len(SUBSET)) + ' indicators)':{w}} {sub['seconds']:9.1f}s "
                  f"{_gb(sub['peak_rss_mb']):>10} {sub['rows']:>10,}")
        if pan:
            if "failed" in pan:
                print(f"{'pandas, same subset':{w}} FAILED (exit {pan['failed']}; exit 3 = RSS above "
                      f"{args.pandas_mem_limit_gb:g} GB) peak {_gb(pan['peak_rss_mb'])}")
            else:
                print(f"{'pandas, same subset (compute)':{w}} {pan['seconds']:9.1f}s {_gb(pan['peak_rss_mb']):>10}"
                      f" {pan['rows']:>10,}")
                print(f"{'pandas, reading the tables (not in compute)':{w}} {pan['read_seconds']:9.1f}s")
                if sub and "failed" not in sub:
                    print(f"speed-up jiqun vs pandas on the subset: {pan['seconds'] / sub['seconds']:.1f}x (compute "
                          f"only), {(pan['seconds'] + pan['read_seconds']) / sub['seconds']:.1f}x (with reading)")
        if cmpr:
            print(f"numbers match: values {'YES' if cmpr['values_match'] else 'NO'} (np.isclose rtol=1e-9, atol=0; "
                  f"max abs diff {cmpr['max_abs_diff']:.3g}, max rel diff {cmpr['max_rel_diff']:.3g}), n_firms "
                  f"{'YES' if cmpr['n_firms_match'] else 'NO'}; {cmpr['rows_compared']:,} rows compared over "
                  f"{cmpr['indicators_compared']} indicators, {cmpr['only_jiqun']} rows only in jiqun, "
                  f"{cmpr['only_pandas']} only in pandas")
        if args.compare_to is not None:
            if reference is None:
                print(f"same as {args.compare_to}: NOT CHECKED (the jiqun run failed)")
            else:
                numbers_ok = reference["values_match"] and reference["top_firm_share_match"]
                strict = sum(reference["strict_mismatch_by_indicator"].values())
                print(f"same as {args.compare_to}: {'YES' if reference['identical'] else 'NO'} (value and "
                      f"top_firm_share rtol={reference['rtol']:g}, atol=0, growth rates as 1 + g: "
                      f"{'YES' if numbers_ok else 'NO'}, max rel diff {reference['max_rel_diff']:.3g}; n_firms equal: "
                      f"{'YES' if reference['n_firms_match'] else 'NO'}); {reference['rows_compared']:,} rows compared "
                      f"over {reference['indicators_compared']} indicators, {reference['only_output']} rows only in "
                      f"this run, {reference['only_reference']} only in the reference; growth rates as g itself: "
                      f"{strict} values outside rtol (max rel diff {reference['max_rel_diff_strict']:.3g})")
        print(f"baseline covers {len(SUBSET)} of {len(catalogue_ids())} indicators: groups " + ", ".join(BASELINE_GROUPS))
        if "failed" not in full:
            ok_t, ok_m = full["seconds"] < 60, full["peak_rss_mb"] < 8 * 1024
            print(f"targets: full catalogue < 60 s {'MET' if ok_t else 'MISSED'}, < 8 GB {'MET' if ok_m else 'MISSED'}"
                  + (f", >= 10x pandas {'MET' if pan['seconds'] / sub['seconds'] >= 10 else 'MISSED'}"
                     if pan and sub and "failed" not in pan and "failed" not in sub else ""))
    finally:
        if args.keep:
            print(f"# kept {store}" + (f" and {folder}" if args.store else ""))
        else:
            if args.store is None:
                shutil.rmtree(folder, ignore_errors=True)
            else:
                shutil.rmtree(folder, ignore_errors=True)
    if args.compare_to is not None and not (reference and reference["identical"]):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
