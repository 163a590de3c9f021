"""The indicator catalogue on Spark local mode beside DuckDB, on the same store.

Each engine runs in a fresh subprocess:

1. duckdb: :func:`jiqun.metrics.indicator_frame` on the DuckDB store (its production executor);
2. spark: the store's tables copied into Spark (:func:`jiqun.store.copy_tables`, timed apart: it is
   the load, not the computation), then :func:`jiqun.metrics.indicator_frame` on the Spark
   connection (the portable executor, shared inputs cached).

Peak memory: DuckDB's worker by ``ru_maxrss`` (``os.wait4``); Spark's as the worker's own peak RSS
plus the JVM's (``VmHWM`` of the Java process read just before the session stops) -- an upper bound of
the two together. Both results are compared (same keys, values at rtol 1e-12, ``n_firms`` equal), and
with ``--compare-to`` against a saved result (e.g. the previous engine's).

Usage (the province store is built by ``benchmarks/indicators.py --store PATH --keep``)::

    python benchmarks/spark.py --store /tmp/prov.duckdb --driver-memory 14g
    python benchmarks/spark.py --firms 20000 --transactions 500000 --patents 20000   # small, built here
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _status_kb(pid: int | str, field: str) -> float:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return float("nan")


def _save(frame, out: str) -> None:
    frame.to_parquet(out, index=False)


def worker_duckdb(store: str, out: str) -> dict:
    import jiqun
    from jiqun.metrics import indicator_frame

    con = jiqun.connect(store, read_only=True)
    started = time.perf_counter()
    frame = indicator_frame(con)
    seconds = time.perf_counter() - started
    con.disconnect()
    _save(frame, out)
    return {"seconds": seconds, "rows": len(frame)}


def worker_spark(store: str, out: str, master: str) -> dict:
    import jiqun
    from jiqun.metrics import indicator_frame
    from jiqun.store import copy_tables

    started = time.perf_counter()
    spark_con = jiqun.connect(f"spark://{master}")
    session_seconds = time.perf_counter() - started
    source = jiqun.connect(store, read_only=True)
    started = time.perf_counter()
    copied = copy_tables(source, spark_con)
    copy_seconds = time.perf_counter() - started
    source.disconnect()
    started = time.perf_counter()
    frame = indicator_frame(spark_con)
    seconds = time.perf_counter() - started
    session = spark_con._session
    jvm = session.sparkContext._gateway.proc.pid if getattr(session.sparkContext._gateway, "proc", None) else None
    jvm_peak_kb = _status_kb(jvm, "VmHWM") if jvm else float("nan")
    python_peak_kb = _status_kb("self", "VmHWM")
    _save(frame, out)
    return {"seconds": seconds, "rows": len(frame), "session_seconds": session_seconds,
            "copy_seconds": copy_seconds, "copied_rows": sum(int(n) for n in copied.values()),
            "jvm_peak_mb": jvm_peak_kb / 1024, "python_peak_mb": python_peak_kb / 1024, "master": master}


def run_worker(args: list[str], env: dict | None = None) -> dict:
    proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), *args], stdout=subprocess.PIPE,
                            env={**os.environ, **(env or {})})
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        return {"failed": code, "peak_rss_mb": usage.ru_maxrss / 1024}
    report = json.loads(stdout.decode().strip().splitlines()[-1])
    report["peak_rss_mb"] = usage.ru_maxrss / 1024
    return report


#: Indicators compared as 1 + g.
GROWTH_RATES = ("output_growth_yoy", "employment_growth_yoy", "output_cagr")


def compare(got_path: str, want_path: str) -> dict:
    """Same keys, values (growth rates as 1 + g) and top-firm shares at rtol 1e-12, ``n_firms`` equal,
    over the reference's indicators (either layout: ``cluster, region`` or ``cluster_id, region_code``)."""
    import numpy as np
    import pandas as pd

    def load(path):
        frame = pd.read_parquet(path).rename(columns={"cluster_id": "cluster", "region_code": "region"})
        frame = frame.astype({"cluster": str, "region": str, "indicator": str, "year": "int64"})
        return frame.sort_values(["cluster", "region", "year", "indicator"]).reset_index(drop=True)

    got, want = load(got_path), load(want_path)
    # Indicators added to the catalogue since a saved reference have nothing to be compared with.
    added = sorted(set(got["indicator"]) - set(want["indicator"]))
    got = got[~got["indicator"].isin(added)]
    keys = ["cluster", "region", "year", "indicator"]
    merged = got.merge(want, on=keys, how="outer", suffixes=("_got", "_want"), indicator=True)
    both = merged[merged["_merge"] == "both"]
    result = {"rows": len(got), "rows_reference": len(want), "indicators_added": added, "only_here": int((merged["_merge"] == "left_only").sum()),
              "only_reference": int((merged["_merge"] == "right_only").sum())}
    # Growth rates are compared as 1 + g: parallel float sums are not bit-reproducible, and near zero
    # growth the "- 1" magnifies a 1e-16 difference (as benchmarks/indicators.py --compare-to does).
    growth = both["indicator"].isin(GROWTH_RATES).to_numpy()
    for column in ("value", "top_firm_share"):
        if f"{column}_want" not in both:
            continue
        shift = np.where(growth, 1.0, 0.0) if column == "value" else 0.0
        a = both[f"{column}_got"].to_numpy("float64") + shift
        b = both[f"{column}_want"].to_numpy("float64") + shift
        result[f"{column}_match"] = bool(np.isclose(a, b, rtol=1e-12, atol=0.0, equal_nan=True).all())
        result[f"{column}_max_rel_diff"] = float(np.nanmax(np.abs(a - b) / np.maximum(np.abs(b), 1e-300))) \
            if len(both) else 0.0
    n_got, n_want = both["n_firms_got"].to_numpy("float64"), both["n_firms_want"].to_numpy("float64")
    result["n_firms_match"] = bool(((n_got == n_want) | (np.isnan(n_got) & np.isnan(n_want))).all())
    result["identical"] = (result["only_here"] == 0 and result["only_reference"] == 0 and result["value_match"]
                           and result.get("top_firm_share_match", True) and result["n_firms_match"])
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="a DuckDB jiqun store (default: build a small one)")
    parser.add_argument("--firms", type=int, default=20_000)
    parser.add_argument("--transactions", type=int, default=500_000)
    parser.add_argument("--patents", type=int, default=20_000)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--driver-memory", default="8g", help="Spark driver memory (JIQUN_SPARK_DRIVER_MEMORY)")
    parser.add_argument("--compare-to", type=Path, help="a saved result (Parquet) the DuckDB run must equal")
    parser.add_argument("--skip-duckdb", action="store_true")
    parser.add_argument("--worker", choices=["duckdb", "spark"], help=argparse.SUPPRESS)
    parser.add_argument("--out", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker == "duckdb":
        print(json.dumps(worker_duckdb(str(args.store), args.out)))
        return 0
    if args.worker == "spark":
        print(json.dumps(worker_spark(str(args.store), args.out, args.master)))
        return 0

    folder = Path(tempfile.mkdtemp(prefix="jiqun-spark-bench-"))
    store = args.store
    if store is None or not store.exists():
        import importlib.util

        spec = importlib.util.spec_from_file_location("jiqun_bench_indicators", Path(__file__).with_name("indicators.py"))
        bench = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(bench)
        store = store or folder / "store.duckdb"
        started = time.perf_counter()
        bench.build_store(store, firms=args.firms, years=8, transactions=args.transactions, patents=args.patents, seed=1)
        print(f"# built {store} in {time.perf_counter() - started:.1f} s", flush=True)
    duck_out, spark_out = str(folder / "duckdb.parquet"), str(folder / "spark.parquet")
    duck = None
    if not args.skip_duckdb:
        duck = run_worker(["--worker", "duckdb", "--store", str(store), "--out", duck_out])
        print(f"# duckdb: {json.dumps(duck)}", flush=True)
        if args.compare_to and "failed" not in duck:
            print(f"# duckdb vs {args.compare_to}: {json.dumps(compare(duck_out, str(args.compare_to)))}", flush=True)
    spark = run_worker(["--worker", "spark", "--store", str(store), "--out", spark_out, "--master", args.master],
                       env={"JIQUN_SPARK_DRIVER_MEMORY": args.driver_memory})
    print(f"# spark: {json.dumps(spark)}", flush=True)
    agree = None
    if duck and "failed" not in duck and "failed" not in spark:
        agree = compare(spark_out, duck_out)
        print(f"# spark vs duckdb: {json.dumps(agree)}", flush=True)
    print()
    print("| engine | compute s | peak memory GB | rows | notes |")
    print("|---|---:|---:|---:|---|")
    if duck:
        print(f"| DuckDB (production executor) | {duck.get('seconds', float('nan')):.1f} | "
              f"{duck['peak_rss_mb'] / 1024:.2f} | {duck.get('rows', 0):,} | {'failed' if 'failed' in duck else ''} |")
    if "failed" in spark:
        print(f"| Spark {args.master} | failed ({spark['failed']}) | | | |")
    else:
        peak = (spark["jvm_peak_mb"] + spark["python_peak_mb"]) / 1024
        print(f"| Spark {args.master} (portable executor) | {spark['seconds']:.1f} | {peak:.2f} | {spark['rows']:,} | "
              f"session {spark['session_seconds']:.0f} s, copy {spark['copy_seconds']:.0f} s; "
              f"JVM {spark['jvm_peak_mb'] / 1024:.2f} GB + Python {spark['python_peak_mb'] / 1024:.2f} GB; "
              f"identical to DuckDB: {agree['identical'] if agree else 'n/a'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
