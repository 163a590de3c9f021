"""Chain-map metrics (jiqun.chains.chain_tables) for all 14 clusters at province scale, beside a
straightforward pandas baseline of the purchase metrics on the same inputs.

    PYTHONPATH=src python benchmarks/chains.py --store /work/prov.duckdb

The store is opened read-only. jiqun: every table of the map (segments, stages, completeness,
leaders, import countries, link flows), province scope, every year. pandas: the tables it needs read
into DataFrames (time reported apart), then per cluster × segment × year the purchases of the
clusters' local firms by origin (same city, other city, other province, abroad), the supplier count
and the supplier HHI, with groupby/merge; both are compared (np.isclose rtol 1e-9; counts equal).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd


def run_jiqun(con) -> tuple[float, pd.DataFrame]:
    from jiqun.chains import chain_tables

    start = time.perf_counter()
    tables = chain_tables(con)
    frames = {name: tables[name].execute() for name in ("segments", "stages", "completeness", "leaders",
                                                        "import_countries", "link_flows")}
    return time.perf_counter() - start, frames["segments"]


def read_inputs(con):
    """The baseline's inputs, read through DuckDB (integer firm keys, region codes as numbers)."""
    from jiqun import marts

    db = con.con
    members = marts.firm_clusters(con).select("uscc", "cluster_id").execute()
    keys = db.sql("SELECT k.uscc, k.firm_key, TRY_CAST(f.region_code AS INTEGER) AS region FROM firm_keys k "
                  "JOIN firms f USING (uscc)").df()
    tx = db.sql("SELECT year::SMALLINT AS year, seller_key, TRY_CAST(seller_region_code AS INTEGER) AS s_region, "
                "coalesce(seller_country, 'CHN') AS country, buyer_key, node_id, amount_yuan::DOUBLE AS amount "
                "FROM transactions").df()
    tx["country"] = tx.country.astype("category")
    tx["node_id"] = tx.node_id.astype("category")
    nodes = db.sql("SELECT node_id, cluster_id FROM chain_nodes").df()
    return members, keys, tx, nodes


def run_pandas(members, keys, tx, nodes) -> pd.DataFrame:
    buyers = members.merge(keys, on="uscc")
    buyers = buyers[(buyers.region // 10000) == 32][["firm_key", "cluster_id", "region"]]
    p = tx.merge(buyers, left_on="buyer_key", right_on="firm_key")
    p = p.merge(nodes, on=["node_id", "cluster_id"])
    s = p.s_region.astype("float64").fillna(-1).to_numpy().astype("int64")  # no region code: matches no buyer
    b = p.region.astype("int64").to_numpy()
    foreign = (p.country.astype(str) != "CHN").to_numpy()
    origin = np.select([foreign, (s // 100) == (b // 100), (s // 10000) == (b // 10000)],
                       ["abroad", "same_city", "other_city"], "other_province")
    p["origin"] = origin
    # seller identity: its key; without one a country (abroad) or a region (at home)
    country_code = p.country.cat.codes.astype("int64")
    p["seller"] = np.where(p.seller_key.notna().to_numpy(), p.seller_key.astype("float64").fillna(0).to_numpy(),
                           np.where(foreign, -1 - country_code.to_numpy(), -10_000_000 - s)).astype("int64")
    keys_ = ["cluster_id", "node_id", "year"]
    p["node_id"] = p.node_id.astype(str)
    by_origin = p.pivot_table(index=keys_, columns="origin", values="amount", aggfunc="sum", fill_value=0.0)
    by_origin.columns = [f"purchases_{c}_yuan" for c in by_origin.columns]
    per_seller = p.groupby(keys_ + ["seller"], observed=True).amount.sum().reset_index()
    per_seller["sq"] = per_seller.amount ** 2
    conc = per_seller.groupby(keys_).agg(n_suppliers=("seller", "size"), sq=("sq", "sum"), total=("amount", "sum"))
    conc["supplier_hhi"] = conc.sq / conc.total ** 2
    out = by_origin.join(conc[["n_suppliers", "supplier_hhi", "total"]].rename(columns={"total": "purchases_yuan"}))
    return out.reset_index()


def compare(jq: pd.DataFrame, pdf: pd.DataFrame) -> bool:
    jq = jq[jq.purchases_yuan > 0]
    m = jq.merge(pdf, on=["cluster_id", "node_id", "year"], suffixes=("", "_pd"), how="outer", indicator=True)
    only = (m._merge != "both").sum()
    ok = only == 0
    for col in ("purchases_yuan", "purchases_same_city_yuan", "purchases_other_city_yuan",
                "purchases_other_province_yuan", "purchases_abroad_yuan", "supplier_hhi"):
        both = m[m._merge == "both"]
        good = np.isclose(both[col].astype(float), both[col + "_pd"].astype(float), rtol=1e-9, atol=0)
        ok &= bool(good.all())
        print(f"  {col}: {int((~good).sum())} differ")
    same_n = (m[m._merge == "both"].n_suppliers.astype("int64") == m[m._merge == "both"].n_suppliers_pd).all()
    print(f"  n_suppliers equal: {bool(same_n)}; cells on one side only: {only}; compared cells: {len(m)}")
    return ok and bool(same_n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", default="/work/prov.duckdb")
    parser.add_argument("--skip-pandas", action="store_true")
    args = parser.parse_args()
    import jiqun

    con = jiqun.connect(args.store, read_only=True)
    seconds, segments = run_jiqun(con)
    print(f"jiqun chain map, 14 clusters, province, all years: {seconds:.1f} s ({len(segments):,} segment rows)")
    if args.skip_pandas:
        return
    start = time.perf_counter()
    inputs = read_inputs(con)
    read = time.perf_counter() - start
    start = time.perf_counter()
    baseline = run_pandas(*inputs)
    base = time.perf_counter() - start
    print(f"pandas baseline (purchase metrics only): read {read:.1f} s, compute {base:.1f} s")
    print(f"same numbers: {'YES' if compare(segments, baseline) else 'NO'}")
    print(f"pandas (purchase metrics only) / jiqun (every chain table, reads included): compute only "
          f"{base / seconds:.2f}x, read + compute {(read + base) / seconds:.2f}x")


if __name__ == "__main__":
    main()
