"""Economic complexity (issue 16): Harvard Growth Lab's ``ecomplexity`` beside ``jiqun.complexity.compute``
on the world trade reference file (226 countries × 785 SITC4 products, exports 1998–2000).

    PYTHONPATH=src python benchmarks/complexity.py [--data ../shared/data/reference/world_trade_sitc4_1998_2000.csv]

Times each on the same table, best of ``--repeats`` (3) runs, from the long table in memory to the long
result (``ecomplexity`` with ``verbose=False`` and ``check_logsupermodularity=False``: it then computes
what jiqun computes and nothing more; one run with its defaults is timed too), prints both times and the
speed-up (target ≥ 5×), and the largest absolute difference of every output column on the common rows.
On a shared machine whose other core is busy, OpenBLAS's two threads fight for one core and every
matrix product slows down tenfold: set ``OPENBLAS_NUM_THREADS=1`` there (both sides use the same BLAS).
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from jiqun.complexity import MEASURES, compute

DEFAULT_DATA = (Path(__file__).resolve().parents[2] / "shared" / "data" / "reference"
                / "world_trade_sitc4_1998_2000.csv")
COLUMNS = {"time": "year", "loc": "country", "prod": "product", "val": "value"}


def best_of(repeats: int, run) -> tuple[float, object]:
    """(best wall time in seconds, the last result) of ``repeats`` calls of ``run``."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def run_ecomplexity(trade: pd.DataFrame, **options) -> pd.DataFrame:
    from ecomplexity import ecomplexity

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ecomplexity(trade, COLUMNS, **options)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    trade = pd.read_csv(args.data, dtype={"country": str, "product": str}).assign(year=2000)
    print(f"{args.data.name}: {len(trade):,} rows, {trade['country'].nunique()} countries × "
          f"{trade['product'].nunique()} products")

    lean = {"verbose": False, "check_logsupermodularity": False}
    reference_s, reference = best_of(args.repeats, lambda: run_ecomplexity(trade, **lean))
    defaults_s, _ = best_of(1, lambda: run_ecomplexity(trade, verbose=False))
    jiqun_s, ours = best_of(args.repeats, lambda: compute(trade, "country", "product", "value", time="year"))
    print(f"ecomplexity (no log-supermodularity check), best of {args.repeats}: {reference_s:8.3f} s")
    print(f"ecomplexity with its defaults, one run:            {defaults_s:8.3f} s")
    print(f"jiqun.complexity.compute, best of {args.repeats}:             {jiqun_s:8.3f} s")
    print(f"speed-up: {reference_s / jiqun_s:.1f}x (target >= 5x; {defaults_s / jiqun_s:.1f}x against its defaults)")

    keys = ["year", "country", "product"]
    merged = ours.merge(reference, on=keys, suffixes=("", "_ref"))
    print(f"rows: jiqun {len(ours):,}, ecomplexity {len(reference):,}, common {len(merged):,}")
    print("max |jiqun - ecomplexity| per column:")
    for column in MEASURES:
        difference = np.abs(merged[column].to_numpy(float) - merged[f"{column}_ref"].to_numpy(float))
        print(f"  {column:<10} {np.nanmax(difference):.2e}")


if __name__ == "__main__":
    main()
