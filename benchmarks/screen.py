"""The dependency screen at BACI scale (issue 16): a synthetic BACI-layout table of ``--products`` HS6
products × ``--countries`` exporters × importers × ``--years`` years (≈ 10M rows by default), screened
for one importer with ``jiqun.chokepoints.screen`` (GeoDep), beside a pandas baseline of the same
measures in the same run, results compared.

    PYTHONPATH=src python benchmarks/screen.py [--rows 10000000] [--products 5000] [--countries 200]

Prints the table size, the generation time, jiqun's screen time (target < 30 s; an in-memory DuckDB
through ibis), the pandas baseline time (groupby over the same frame), the speed-up and the largest
difference of each measure.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd

IMPORTER = 156  # China, numeric as in BACI


def synthetic_baci(rows: int, products: int, countries: int, years: int, seed: int = 0) -> pd.DataFrame:
    """Random BACI rows (t, i, j, k, v, q): distinct (t, i, j, k), i ≠ j, heavy-tailed values; the
    importer of interest (156) is one of the countries."""
    rng = np.random.default_rng(seed)
    codes = np.sort(np.append(rng.choice(np.arange(4, 900), countries - 1, replace=False), IMPORTER))
    codes = np.unique(codes)
    size = rng.pareto(1.2, len(codes)) + 0.01  # heavy-tailed exporter sizes: some products' supply concentrates
    per_year = rows // years
    frames = []
    for offset in range(years):
        cells = np.unique(rng.integers(0, products * len(codes) ** 2, int(per_year * 1.05)))[:per_year]
        k, rest = np.divmod(cells, len(codes) ** 2)
        i, j = np.divmod(rest, len(codes))
        keep = i != j
        frames.append(pd.DataFrame({"t": 2020 + offset, "i": codes[i[keep]], "j": codes[j[keep]],
                                    "k": 100000 + k[keep] * 37 % 900000,
                                    "v": (rng.lognormal(3.0, 2.0, keep.sum()) * size[i[keep]]).round(3), "q": np.nan}))
    return pd.concat(frames, ignore_index=True)


def pandas_measures(trade: pd.DataFrame, importer: int) -> pd.DataFrame:
    """The screen's core measures, straight pandas: import HHI, top origin share, world export HHI,
    imports / exports (9999 when exports are 0)."""
    imports = trade[(trade.j == importer) & (trade.i != importer)].groupby(["t", "k", "i"], as_index=False)["v"].sum()
    imports = imports[imports.v > 0]
    imports["share"] = imports.v / imports.groupby(["t", "k"])["v"].transform("sum")
    side = imports.assign(square=imports.share ** 2).groupby(["t", "k"]).agg(
        imports=("v", "sum"), import_hhi=("square", "sum"), top_origin_share=("share", "max"))
    exports = trade[(trade.i == importer) & (trade.j != importer)].groupby(["t", "k"])["v"].sum().rename("exports")
    world = trade.groupby(["t", "k", "i"], as_index=False)["v"].sum()
    world = world[world.v > 0]
    world["share"] = world.v / world.groupby(["t", "k"])["v"].transform("sum")
    world_hhi = (world.share ** 2).groupby([world.t, world.k]).sum().rename("world_export_hhi")
    table = side.join(exports, how="outer").fillna({"imports": 0.0, "exports": 0.0}).join(world_hhi, how="left")
    table = table[(table.imports > 0) | (table.exports > 0)]
    table["import_export_ratio"] = np.where(table.exports > 0, table.imports / table.exports.where(table.exports > 0),
                                            np.where(table.imports > 0, 9999.0, np.nan))
    return table.reset_index()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--countries", type=int, default=200)
    parser.add_argument("--years", type=int, default=3)
    args = parser.parse_args()

    from jiqun.chokepoints import screen

    start = time.perf_counter()
    trade = synthetic_baci(args.rows, args.products, args.countries, args.years)
    print(f"synthetic BACI table: {len(trade):,} rows, {trade.k.nunique():,} products, "
          f"{trade.i.nunique()} exporters, {args.years} years ({time.perf_counter() - start:.1f} s to generate)")
    start = time.perf_counter()
    ours = screen(trade, IMPORTER, criteria="geodep")
    jiqun_seconds = time.perf_counter() - start
    start = time.perf_counter()
    theirs = pandas_measures(trade, IMPORTER)
    pandas_seconds = time.perf_counter() - start
    print(f"jiqun screen (GeoDep, {len(ours):,} product-years): {jiqun_seconds:.1f} s (target < 30 s)")
    print(f"pandas baseline (core measures only, no criteria or trends): {pandas_seconds:.1f} s "
          f"→ jiqun/pandas time {jiqun_seconds / pandas_seconds:.2f}")
    theirs["k"] = theirs["k"].astype(str).str.zfill(6)
    joined = ours.merge(theirs, on=["t", "k"], suffixes=("", "_pandas"), how="outer", indicator=True)
    print(f"same product-years: {'YES' if (joined['_merge'] == 'both').all() else 'NO'} "
          f"({len(ours):,} jiqun, {len(theirs):,} pandas)")
    for column in ("imports", "exports", "import_hhi", "top_origin_share", "world_export_hhi", "import_export_ratio"):
        difference = (joined[column].astype(float) - joined[column + "_pandas"].astype(float)).abs().max()
        print(f"  max |diff| {column}: {difference:.1e}")
    print(f"dependent products (GeoDep, all years): {int(ours.dependent.fillna(False).sum()):,}; "
          f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2:.2f} GB")


if __name__ == "__main__":
    main()
