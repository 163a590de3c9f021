"""The indicator benchmark's pandas baseline (benchmarks/indicators.py) is an implementation of all 46
indicators written apart from jiqun's expressions: on a small synthetic store, with transactions, patents
and national reference rows, both must give the same numbers."""

import importlib.util
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "indicators.py"


@pytest.fixture(scope="module")
def bench():
    if not BENCHMARK.exists():
        pytest.skip("benchmarks/indicators.py is not in this checkout")
    spec = importlib.util.spec_from_file_location("jiqun_benchmark_indicators", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pandas_baseline_agrees_with_jiqun_on_every_indicator(bench, tmp_path):
    store = tmp_path / "synthetic.duckdb"
    bench.build_store(store, firms=1500, years=8, transactions=30000, patents=1500, seed=7)
    jiqun_out, pandas_out = tmp_path / "jiqun.parquet", tmp_path / "pandas.parquet"
    # The indicators the baseline implements (indicators added since are checked by their own tests).
    bench.worker_jiqun(str(store), str(jiqun_out), subset=True)
    bench.pandas_indicators(bench.read_tables(str(store))).to_parquet(pandas_out, index=False)

    result = bench.compare(str(jiqun_out), str(pandas_out))
    assert result["indicators_compared"] == len(bench.SUBSET) == 46
    assert result["rows_compared"] > 10_000
    assert result["only_jiqun"] == 0 and result["only_pandas"] == 0, result
    assert result["values_match"], result["mismatch_by_indicator"]
    assert result["n_firms_match"]
