"""The indicator benchmark's pandas baseline (benchmarks/indicators.py) is an implementation of all 46
indicators written apart from jiqun's expressions: on a small synthetic store, with transactions, patents
and national reference rows, both must give the same numbers."""

import pytest


@pytest.fixture(scope="module")
def bench(indicator_benchmark):
    return indicator_benchmark


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


def test_compare_to_reference_flags_a_changed_value_a_changed_count_and_a_missing_key(bench, tmp_path):
    import pandas as pd

    reference = pd.DataFrame({
        "cluster_id": ["c1", "c1", "c2"], "region_code": ["320100", "320100", "320000"], "year": [2020, 2021, 2021],
        "indicator": ["hhi", "hhi", "cr4"], "value": [0.25, 0.0, 1e8], "n_firms": [10.0, 12.0, None],
        "top_firm_share": [0.5, None, 0.1],
    })
    reference_path = tmp_path / "reference.parquet"
    reference.to_parquet(reference_path, index=False)

    def check(output: pd.DataFrame) -> dict:
        path = tmp_path / "output.parquet"
        output.to_parquet(path, index=False)
        return bench.compare_to_reference(str(path), str(reference_path))

    same = reference.copy()
    same.loc[2, "value"] = 1e8 * (1 + 1e-13)  # float sums in another order
    assert check(same)["identical"]

    changed = reference.copy()
    changed.loc[0, "value"] = 0.25 * (1 + 1e-10)
    result = check(changed)
    assert not result["identical"] and not result["values_match"]
    assert result["mismatch_by_indicator"] == {"hhi": 1}

    recounted = reference.copy()
    recounted.loc[1, "n_firms"] = 11.0
    assert not check(recounted)["n_firms_match"]

    result = check(reference.iloc[:2])
    assert not result["identical"] and result["only_reference"] == 1 and result["only_output"] == 0

    # An indicator added to the catalogue since the reference was saved is listed, not a difference.
    extended = pd.concat([reference, reference.iloc[:1].assign(indicator="export_output_share")])
    result = check(extended)
    assert result["identical"] and result["indicators_added"] == ["export_output_share"]


def test_compare_to_reference_compares_growth_rates_as_one_plus_g(bench, tmp_path):
    import pandas as pd

    reference = pd.DataFrame({
        "cluster_id": ["c1", "c1"], "region_code": ["320100", "320100"], "year": [2021, 2022],
        "indicator": ["output_growth_yoy", "output_growth_yoy"], "value": [1e-4, 0.05], "n_firms": [10, 10],
        "top_firm_share": [None, None],
    })
    reference_path, output_path = tmp_path / "reference.parquet", tmp_path / "output.parquet"
    reference.to_parquet(reference_path, index=False)
    near_zero = reference.copy()
    near_zero.loc[0, "value"] = 1e-4 * (1 + 1e-11)  # cancellation near zero growth: 1 + g agrees to ~1e-15
    near_zero.to_parquet(output_path, index=False)

    result = bench.compare_to_reference(str(output_path), str(reference_path))
    assert result["identical"] and result["strict_mismatch_by_indicator"] == {"output_growth_yoy": 1}

    changed = reference.copy()
    changed.loc[1, "value"] = 0.05 + 1e-10  # 1 + g off by ~1e-10
    changed.to_parquet(output_path, index=False)
    assert not bench.compare_to_reference(str(output_path), str(reference_path))["identical"]
