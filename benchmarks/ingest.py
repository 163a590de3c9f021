"""Ingest throughput: validated jiqun loads against a plain DuckDB load of the same file.

Generates a realistic ``firm_years`` file (N/8 firms x 8 years, valid unified social
credit codes, money in 万元 with Chinese headers) as CSV and Parquet, loads the firms
first, then times :func:`jiqun.ingest.ingest_file` into a fresh store. As the baseline,
the same file is loaded with ``CREATE TABLE AS SELECT * FROM read_csv/read_parquet``
(no typing by the schema, no validation), so the cost of validation is visible.

Usage::

    python benchmarks/ingest.py --rows 1000000 10000000 --formats csv parquet

Memory: generation happens inside DuckDB (no Python lists of rows); a 10M-row run
stays within a few GB.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

import jiqun
from jiqun._duck import fetch_one, fetch_all
from jiqun.codes import USCC_CHARSET, USCC_WEIGHTS
from jiqun.ingest import ingest_file

YEARS = range(2016, 2024)
HEADERS = {
    "uscc": "统一社会信用代码",
    "year": "年份",
    "revenue": "营业收入（万元）",
    "output": "工业总产值（万元）",
    "employment": "从业人员",
    "rd": "研发经费（万元）",
    "exports": "出口交货值（万元）",
    "profit": "利润总额（万元）",
}


def make_usccs(n: int, region_prefix: str = "320200") -> np.ndarray:
    """``n`` valid codes ``91 <region> MA <7-digit serial> <check>``, vectorised."""
    if n >= 10 ** 7:
        raise ValueError("at most 9,999,999 firms")
    prefix = f"91{region_prefix}MA"  # 10 characters
    fixed = sum(USCC_CHARSET.index(c) * w for c, w in zip(prefix, USCC_WEIGHTS))
    serial = np.arange(1, n + 1, dtype=np.int64)
    total = np.full(n, fixed, dtype=np.int64)
    digits = []
    for pos in range(7):  # positions 11..17
        d = (serial // 10 ** (6 - pos)) % 10
        digits.append(d)
        total += d * USCC_WEIGHTS[10 + pos]
    check = (31 - total % 31) % 31
    charset = np.array(list(USCC_CHARSET))
    body = np.char.add(prefix, np.char.zfill(serial.astype(str), 7))
    return np.char.add(body, charset[check])


def generate(folder: Path, rows: int, formats: list[str], store_db) -> dict[str, Path]:
    """Write firms and firm_years files; return their paths by (kind, format)."""
    n_firms = max(rows // len(YEARS), 1)
    regions = [r[0] for r in fetch_all(store_db, "SELECT region_code FROM regions WHERE level = 'county' "
                                           "AND region_code LIKE '32%' ORDER BY 1")]
    industries = [r[0] for r in fetch_all(store_db, "SELECT industry_code FROM industries WHERE level = 'class' "
                                              "AND industry_code BETWEEN '13' AND '44' ORDER BY 1")]
    codes = make_usccs(n_firms)
    gen = duckdb.connect()
    fetch_all(gen, "SET preserve_insertion_order = true")
    fetch_all(gen, "SELECT setseed(0.42)")
    gen.register("codes", pa.table({"uscc": pa.array(codes.tolist(), pa.string()),
                                    "i": pa.array(np.arange(n_firms, dtype=np.int64))}))
    del codes
    gen.register("regions", pa.table({"region_code": regions}))
    gen.register("industries", pa.table({"industry_code": industries}))
    fetch_all(gen, f"""
        CREATE TABLE firms AS
        SELECT uscc AS "统一社会信用代码", '测试企业' || CAST(i AS VARCHAR) || '有限公司' AS "企业名称",
               (SELECT list(region_code) FROM regions)[1 + CAST(i % {len(regions)} AS INTEGER)]
                 AS "行政区划代码",
               (SELECT list(industry_code) FROM industries)[1 + CAST((i * 7) % {len(industries)} AS INTEGER)]
                 AS "行业代码",
               ['民营', '国有', '外资', '港澳台', '私营企业'][1 + CAST(i % 5 AS INTEGER)] AS "登记注册类型",
               strftime(DATE '1990-01-01' + CAST(i % 10000 AS INTEGER), '%Y/%m/%d') AS "成立日期"
        FROM codes ORDER BY i
    """)
    gen.unregister("codes")
    h = HEADERS
    fetch_all(gen, f"""
        CREATE TABLE fy AS
        WITH base AS (
            SELECT "统一社会信用代码" AS uscc, y AS year, exp(4 + 3 * random()) AS revenue, random() AS r1,
                   random() AS r2, random() AS r3, random() AS r4
            FROM firms CROSS JOIN range({YEARS.start}, {YEARS.stop}) t(y)
        )
        SELECT uscc AS "{h['uscc']}", year AS "{h['year']}", round(revenue, 2) AS "{h['revenue']}",
               round(revenue * (0.8 + 0.4 * r1), 2) AS "{h['output']}",
               CAST(5 + revenue / 50 * r2 AS INTEGER) AS "{h['employment']}",
               round(revenue * 0.05 * r3, 2) AS "{h['rd']}",
               round(revenue * (0.8 + 0.4 * r1) * 0.5 * r4, 2) AS "{h['exports']}",
               round(revenue * (r4 - 0.2) * 0.2, 2) AS "{h['profit']}"
        FROM base
    """)
    paths = {}
    for fmt in formats:
        for name in ("firms", "fy"):
            path = folder / f"{name}-{rows}.{ 'csv' if fmt == 'csv' else 'parquet'}"
            option = "(HEADER, DELIMITER ',')" if fmt == "csv" else "(FORMAT parquet, COMPRESSION zstd)"
            fetch_all(gen, f"COPY {name} TO '{path}' {option}")
            paths[(name, fmt)] = path
    gen.close()
    return paths


def baseline(path: Path, fmt: str, folder: Path) -> tuple[int, float]:
    """Plain DuckDB: CREATE TABLE AS SELECT * FROM read_csv/read_parquet, into a fresh file."""
    db_path = folder / f"baseline-{fmt}.duckdb"
    db_path.unlink(missing_ok=True)
    db = duckdb.connect(str(db_path))
    reader = "read_csv" if fmt == "csv" else "read_parquet"
    t0 = time.perf_counter()
    fetch_all(db, f"CREATE TABLE t AS SELECT * FROM {reader}(?)", [str(path)])
    seconds = time.perf_counter() - t0
    n = fetch_one(db, "SELECT count(*) FROM t")[0]
    db.close()
    db_path.unlink(missing_ok=True)
    return n, seconds


def bench(rows: int, formats: list[str], folder: Path) -> list[tuple]:
    results = []
    template = folder / "template.duckdb"
    if not template.exists():
        con = jiqun.connect(template)
        con.disconnect()
    con = jiqun.connect(template, read_only=True)
    t0 = time.perf_counter()
    paths = generate(folder, rows, formats, con.con)
    con.disconnect()
    print(f"# generated {rows:,} firm-year rows ({rows // len(YEARS):,} firms) in "
          f"{time.perf_counter() - t0:.1f} s", flush=True)
    for fmt in formats:
        store = folder / f"store-{fmt}-{rows}.duckdb"
        shutil.copy(template, store)
        con = jiqun.connect(store)
        firms = ingest_file(con, paths[("firms", fmt)], "firms", mode="insert")
        t0 = time.perf_counter()
        years = ingest_file(con, paths[("fy", fmt)], "firm_years", mode="insert")
        seconds = time.perf_counter() - t0
        assert years.rows_inserted == years.rows_in_file, years
        con.disconnect()
        store.unlink()
        n, base_seconds = baseline(paths[("fy", fmt)], fmt, folder)
        assert n == years.rows_in_file
        size_mb = paths[("fy", fmt)].stat().st_size / 1e6
        results.append((fmt, rows, size_mb, firms.rows_in_file / firms.seconds, years.rows_in_file / seconds,
                        seconds, n / base_seconds, base_seconds))
        print(f"{fmt:8s} {rows:>11,} rows {size_mb:8.0f} MB | firms {firms.rows_in_file / firms.seconds:>10,.0f} "
              f"rows/s | firm_years {years.rows_in_file / seconds:>10,.0f} rows/s ({seconds:6.1f} s) | "
              f"plain DuckDB CTAS {n / base_seconds:>11,.0f} rows/s ({base_seconds:5.1f} s)", flush=True)
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000], help="firm-year rows per run")
    parser.add_argument("--formats", nargs="+", choices=["csv", "parquet"], default=["csv", "parquet"])
    parser.add_argument("--keep", action="store_true", help="keep the generated files (print their folder)")
    parser.add_argument("--dir", type=Path, default=None, help="folder for the files (default: a temp dir)")
    args = parser.parse_args(argv)

    folder = Path(args.dir or tempfile.mkdtemp(prefix="jiqun-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    import os

    print(f"# jiqun {jiqun.__version__}, duckdb {duckdb.__version__}, python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cpus, folder {folder}", flush=True)
    try:
        for rows in args.rows:
            bench(rows, args.formats, folder)
    finally:
        if args.keep:
            print(f"# files kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
