"""The chokepoint figures of the synthetic demo's key components (issue 16): one line per key segment.

    PYTHONPATH=src python benchmarks/demo_chokepoints.py [--store OUT/jiqun.duckdb] [--seed 2024] [--scale small]

Without ``--store`` it generates the demo (``jiqun.demo.generate``) into a temporary folder and loads it
through validated ingest (no analyses), then measures, per key segment (``chain_nodes.is_key_component``)
in the latest year:

- ``imp``: import share of the cluster's purchases of the segment (the chain map's ``import_share``), and
  ``trend``: its linear trend over the last 5 years, points per year;
- ``origin``/``top``/``hhi``: the top origin country, its share and the HHI by origin of the province's
  imports of the segment's HS6 products pooled (customs records, ``trade``); for a segment without HS6
  products (software), of its purchases from abroad (``transactions``), marked ``*``;
- ``pat``: Jiangsu applicants' patents in the segment's IPC classes (main IPC), ``rta`` (against all
  applicants), ``gro`` (compound growth over 3 years), ``for``: foreign applicants' share;
- ``class``: the class the shipped rules (``chokepoints/data/classes.yaml``) give to that segment row, and
  ``inventory``: the classes ``jiqun.chokepoints.inventory.chokepoint_inventory`` gives to each of its HS6
  items (``-`` when the item does not screen in; a segment without HS6 is not in the inventory).

Prints the time of each step. The same functions back tests/test_demo_chokepoints.py.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

SPAN_TREND = 5


def build_store(out: Path, scale: str = "small", seed: int = 2024) -> Path:
    """Generate the demo files into ``out/data`` and load them into ``out/jiqun.duckdb`` (no analyses)."""
    import jiqun
    from jiqun.catalogue import ensure_reference_catalogue
    from jiqun.demo import generate
    from jiqun.ingest import ingest_file

    files = generate(out / "data", scale, seed=seed)
    path = out / "jiqun.duckdb"
    con = jiqun.connect(path)
    try:
        ensure_reference_catalogue(con)
        for table, file in files:
            result = ingest_file(con, file, table)
            if result.rows_rejected:
                raise RuntimeError(f"{file}: {result.rows_rejected} rows rejected")
    finally:
        con.disconnect()
    return path


def _trend(years: pd.Series, shares: pd.Series) -> float:
    known = shares.notna()
    years, shares = years[known].to_numpy(float), shares[known].to_numpy(float)
    recent = years >= years.max() - SPAN_TREND + 1 if len(years) else years
    if recent.sum() < 3:
        return np.nan
    return float(np.polyfit(years[recent], shares[recent], 1)[0])


def _concentration(frame: pd.DataFrame, key: str, country: str, value: str) -> pd.DataFrame:
    """Top origin, its share and the HHI by origin per ``key`` from rows (key, country, value)."""
    frame = frame.groupby([key, country], as_index=False)[value].sum()
    frame = frame[frame[value] > 0]
    frame["share"] = frame[value] / frame.groupby(key)[value].transform("sum")
    top = frame.sort_values([key, "share"], ascending=[True, False]).drop_duplicates(key)
    hhi = (frame["share"] ** 2).groupby(frame[key]).sum().rename("import_hhi")
    return top.set_index(key)[[country, "share"]].rename(columns={country: "top_origin", "share": "top_origin_share"}
                                                         ).join(hhi).reset_index()


def key_segments(con, with_inventory: bool = True) -> pd.DataFrame:
    """One row per key segment in the latest year with purchases (see the module docstring)."""
    from jiqun.chokepoints.classify import classify_items
    from jiqun.chokepoints.inventory import segment_items, technology_items

    clusters = sorted(con.table("clusters").cluster_id.to_pandas())
    history, products = segment_items(con, clusters)
    year = int(history.loc[history["purchases_yuan"].fillna(0) > 0, "year"].max())
    key = history[history["is_key_component"].astype(bool)]
    trends = {node: _trend(group["year"], group["import_share"]) for node, group in key.groupby("node_id")}
    rows = key[key["year"] == year].copy()
    rows["import_trend"] = rows["node_id"].map(trends)
    rows["import_share_5y_ago"] = rows["node_id"].map(
        key[key["year"] == year - SPAN_TREND + 1].set_index("node_id")["import_share"])

    # Origins of the province's imports of the segment's HS6 products, pooled (customs records of firms
    # located in the province, as the inventory reads them).
    raw = con.con
    trade = raw.execute(
        "SELECT p.node_id, t.partner_country, sum(t.value_usd) v FROM trade t JOIN firms f ON f.uscc = t.reporter "
        "JOIN chain_node_products p ON lpad(p.hs6, 6, '0') = lpad(t.hs6, 6, '0') WHERE t.flow = 'import' "
        "AND f.region_code LIKE '32%' AND t.year = ? GROUP BY 1, 2", [year]).fetchdf()
    by_trade = _concentration(trade, "node_id", "partner_country", "v").assign(origin_from="trade")
    # Segments without HS6 products: origins of the purchases from abroad.
    bought = raw.execute(
        "SELECT node_id, seller_country, sum(amount_yuan) v FROM transactions WHERE seller_country <> 'CHN' "
        "AND buyer_region_code LIKE '32%' AND year = ? GROUP BY 1, 2", [year]).fetchdf()
    by_tx = _concentration(bought, "node_id", "seller_country", "v").assign(origin_from="transactions")
    origins = pd.concat([by_trade, by_tx[~by_tx["node_id"].isin(set(products["node_id"]))]], ignore_index=True)
    rows = rows.merge(origins, on="node_id", how="left")

    tech = technology_items(con)
    rows = rows.merge(tech[tech["year"] == year][["node_id", "n_region_patents", "n_region_patents_3y", "n_patents_all",
                                                   "rta", "region_patent_growth", "foreign_patent_share"]],
                      on="node_id", how="left")
    rows[["n_region_patents", "n_region_patents_3y"]] = rows[["n_region_patents", "n_region_patents_3y"]].fillna(0)
    rows["dependent"] = False
    placed = classify_items(rows).set_index("node_id")["class"]
    rows["class"] = rows["node_id"].map(placed).fillna("-")
    if with_inventory:
        from jiqun.chokepoints.inventory import chokepoint_inventory

        items = chokepoint_inventory(con)
        per_node = {node: group for node, group in items.groupby("node_id")}
        listed = products.groupby("node_id")["hs6"].apply(list)
        rows["inventory"] = [
            " ".join(f"{hs6}:{_item_class(per_node.get(node), hs6)}" for hs6 in listed.get(node, []))
            or f"(no HS6):{_item_class(per_node.get(node), None)}" for node in rows["node_id"]]
    rows["year"] = year
    return rows.sort_values("node_id").reset_index(drop=True)


def _item_class(items, hs6: str) -> str:
    if items is None:
        return "-"
    found = (items[items["hs6"].isna()] if hs6 is None
             else items[items["hs6"].astype(str).str.zfill(6) == str(hs6).zfill(6)])
    return found["class"].iloc[0] if len(found) else "-"


def _fmt(value, pattern: str) -> str:
    return "nan" if value is None or (isinstance(value, float) and np.isnan(value)) else format(value, pattern)


def print_table(rows: pd.DataFrame, out=sys.stdout) -> None:
    year = int(rows["year"].iloc[0]) if len(rows) else 0
    print(f"key segments, {year} (imp: import share of purchases; trend: points a year over 5 years; hhi/top: "
          "origins of the province's imports of the segment's HS6, * = of its purchases from abroad)", file=out)
    head = (f"{'segment':<30}{'name':<18}{'imp':>6}{'trend':>7}{'origin':>7}{'top':>6}{'hhi':>6}{'pat':>5}{'pat3':>6}"
            f"{'rta':>6}{'gro':>7}{'for':>6}  {'class':<16}inventory items (HS6:class)")
    print(head, file=out)
    for row in rows.to_dict("records"):
        star = "*" if row["origin_from"] == "transactions" else " "
        trend = row["import_trend"] * 100 if row["import_trend"] == row["import_trend"] else np.nan
        print(f"{row['node_id']:<30}{row['name_zh'][:8]:<18}{_fmt(row['import_share'], '.2f'):>6}{_fmt(trend, '+.1f'):>7}"
              f"{str(row['top_origin']) + star:>7}{_fmt(row['top_origin_share'], '.2f'):>6}"
              f"{_fmt(row['import_hhi'], '.2f'):>6}{int(row['n_region_patents']):>5}"
              f"{row['n_region_patents_3y']:>6.1f}{_fmt(row['rta'], '.2f'):>6}"
              f"{_fmt(row['region_patent_growth'], '+.2f'):>7}{_fmt(row['foreign_patent_share'], '.2f'):>6}  "
              f"{row['class']:<16}{row.get('inventory', '')}", file=out)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="an existing demo store (default: generate and load one)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--scale", default="small")
    parser.add_argument("--no-inventory", action="store_true", help="skip the full inventory (faster)")
    args = parser.parse_args(argv)
    import jiqun

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        path = args.store or build_store(Path(tmp), args.scale, args.seed)
        built = time.perf_counter() - started
        con = jiqun.connect(path, read_only=True)
        try:
            started = time.perf_counter()
            rows = key_segments(con, with_inventory=not args.no_inventory)
            measured = time.perf_counter() - started
        finally:
            con.disconnect()
    print_table(rows)
    counts = rows["class"].value_counts().to_dict()
    print(f"classes of the key segments: {counts}")
    print(f"generate + ingest {built:.1f} s, measures {measured:.1f} s ({'store ' + str(args.store) if args.store else f'scale={args.scale} seed={args.seed}'})")


if __name__ == "__main__":
    main()
