"""Cost of the change history (``load_changes``) on large loads of ``firm_years``.

Generates the firm_years file of ``ingest.py`` (N rows, Parquet), loads it into a fresh store,
then times three loads: the first load (every row an insert), a full update (every row's revenue
changed, all columns in the file) and a partial update (a file with only the USCC, year and revenue
columns, every revenue changed), then (with the history) undoes the two updates, in wall-clock and process CPU seconds (all threads; steadier than
the wall clock on a shared machine). Run it once with this checkout and once with an older one on the
``PYTHONPATH`` to compare the loader with and without the history::

    PYTHONPATH=src python benchmarks/history.py --rows 1000000
    PYTHONPATH=/path/to/old/src python benchmarks/history.py --rows 1000000 --dir /tmp/bench-old
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

import jiqun
from jiqun._duck import fetch_one, fetch_all
from jiqun.ingest import ingest_file


def _ingest_benchmark():
    spec = importlib.util.spec_from_file_location("bench_ingest", Path(__file__).with_name("ingest.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def update_files(folder: Path, fy: Path) -> tuple[Path, Path]:
    """A full file with every revenue +1 %, and a partial one with only USCC, year and revenue +2 %."""
    db = duckdb.connect()
    full, partial = folder / "fy-update-full.parquet", folder / "fy-update-partial.parquet"
    revenue = "营业收入（万元）"
    fetch_all(db, f"COPY (SELECT * REPLACE (round(\"{revenue}\" * 1.01 + 0.01, 2) AS \"{revenue}\") FROM "
            f"read_parquet('{fy}')) TO '{full}' (FORMAT parquet)")
    fetch_all(db, f"COPY (SELECT \"统一社会信用代码\", \"年份\", round(\"{revenue}\" * 1.02 + 0.01, 2) AS \"{revenue}\" "
            f"FROM read_parquet('{fy}')) TO '{partial}' (FORMAT parquet)")
    db.close()
    return full, partial


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="firm-year rows")
    parser.add_argument("--dir", type=Path, default=None, help="folder for the files (default: a temp dir)")
    args = parser.parse_args(argv)
    folder = Path(args.dir or tempfile.mkdtemp(prefix="jiqun-bench-history-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"# jiqun {jiqun.__file__}, duckdb {duckdb.__version__}, {args.rows:,} rows", flush=True)
    try:
        template = folder / "template.duckdb"
        con = jiqun.connect(template)
        paths = _ingest_benchmark().generate(folder, args.rows, ["parquet"], con.con)
        con.disconnect()
        full, partial = update_files(folder, paths[("fy", "parquet")])
        con = jiqun.connect(template)
        ingest_file(con, paths[("firms", "parquet")], "firms")
        for label, path in (("first load (inserts)", paths[("fy", "parquet")]), ("full update", full),
                            ("partial update (revenue only)", partial)):
            t0, cpu0 = time.perf_counter(), time.process_time()
            result = ingest_file(con, path, "firm_years")
            seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            has_history = fetch_one(con.con, "SELECT count(*) FROM information_schema.tables "
                                       "WHERE table_name = 'load_changes'")[0]
            history = fetch_one(con.con, "SELECT count(*) FROM load_changes WHERE load_id = ?",
                          [result.load_id])[0] if has_history else 0
            print(f"{label:32s} {seconds:6.1f} s (CPU {cpu:6.1f} s)  inserted {result.rows_inserted:>9,}  updated "
                  f"{result.rows_updated:>9,}  history rows {history:>9,}", flush=True)
        try:
            from jiqun.ingest.history import undo_load
        except ImportError:  # an older jiqun: no history, no undo
            undo_load = None
        if undo_load is not None:
            for label in ("undo partial update", "undo full update"):
                last = fetch_one(con.con, "SELECT max(load_id) FROM loads WHERE mode <> 'undo' AND load_id NOT IN "
                                    "(SELECT undoes_load_id FROM loads WHERE undoes_load_id IS NOT NULL)")[0]
                t0, cpu0 = time.perf_counter(), time.process_time()
                undone = undo_load(con, last)
                seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
                print(f"{label:32s} {seconds:6.1f} s (CPU {cpu:6.1f} s)  restored {undone.rows_restored:>9,} rows "
                      f"({undone.cells_restored:,} cells)", flush=True)
        con.disconnect()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
