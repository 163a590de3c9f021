"""The indicator engine: the registry against the catalogue, the planner, and every DuckDB acceleration
against its portable twin (the same numbers for every group on a synthetic store with transactions,
patents, trademarks and national reference rows)."""

import numpy as np
import pandas as pd
import pytest

from jiqun.metrics import load_catalogue, plan_indicators, UnknownIndicatorError
from jiqun.metrics.base import LONG_SCHEMA, Options
from jiqun.metrics.executors import PortableExecutor, executor_for
from jiqun.metrics.executors.duckdb import DuckDBExecutor
from jiqun.metrics.registry import RegistryError, check_registry, engine_inputs, indicator_groups, registry_ids

KEYS = ["cluster_id", "region_code", "year", "indicator"]


def test_registry_ids_equal_the_catalogue_ids():
    ids = registry_ids()
    assert len(ids) == len(set(ids)), "an indicator is produced by two groups"
    catalogue = set(load_catalogue())
    assert set(ids) - catalogue == set(), "ids in a group but not in indicators.yaml"
    assert catalogue - set(ids) == set(), "ids in indicators.yaml that no group produces"
    check_registry()


def test_check_registry_refuses_undeclared_inputs_and_duplicate_ids(monkeypatch):
    from jiqun.metrics import registry

    groups = indicator_groups()
    bad = dict(groups)
    bad["broken"] = registry.IndicatorGroup("broken", ("hhi",), ("no_such_input",), lambda tables, opts: None)
    monkeypatch.setattr(registry, "_GROUPS", bad)
    monkeypatch.setattr(registry, "_load", lambda: None)
    with pytest.raises(RegistryError, match="'hhi' is produced by groups 'concentration' and 'broken'"):
        check_registry()
    bad["broken"] = registry.IndicatorGroup("broken", ("new_id",), ("no_such_input",), lambda tables, opts: None)
    with pytest.raises(RegistryError, match=r"reads undeclared inputs \['no_such_input'\]"):
        check_registry()


def test_a_group_declared_twice_is_refused():
    from jiqun.metrics.registry import indicator_group

    with pytest.raises(RegistryError, match="declared twice"):
        indicator_group("scale", ids=("x_id",), reads=("totals",))(lambda tables, opts: None)


def test_plan_prunes_groups_and_closes_over_inputs():
    plan = plan_indicators(["local_supporting_rate_city"])
    assert [g.name for g in plan.groups] == ["purchases"]
    # fy_purchases is derived from fy and the purchases per buyer, which come from the located
    # purchases of the transactions: all of them, dependencies first.
    assert plan.inputs.index("located") < plan.inputs.index("buyer_purchases") < plan.inputs.index("fy_purchases")
    assert {"transactions", "firms", "fy"} <= set(plan.inputs)
    assert "patents" not in plan.inputs
    full = plan_indicators()
    assert [g.name for g in full.groups] == list(indicator_groups())
    specs = engine_inputs()
    for position, name in enumerate(full.inputs):  # every input after the inputs it reads
        assert all(full.inputs.index(read) < position for read in specs[name].reads)


def test_unknown_indicator_is_refused_with_the_valid_ids():
    with pytest.raises(UnknownIndicatorError, match="unknown indicator id.*no_such_id.*valid ids: .*hhi"):
        plan_indicators(["hhi", "no_such_id"])


def test_executor_for_picks_the_backend_executor(store):
    assert isinstance(executor_for(store), DuckDBExecutor)

    class OtherBackend:
        name = "pyspark"

    assert isinstance(executor_for(OtherBackend()), PortableExecutor)


@pytest.fixture(scope="module")
def synthetic_store(tmp_path_factory, indicator_benchmark):
    bench = indicator_benchmark
    path = tmp_path_factory.mktemp("engine") / "synthetic.duckdb"
    bench.build_store(path, firms=800, years=6, transactions=12000, patents=800, seed=11)
    import jiqun

    con = jiqun.connect(path)
    yield con
    con.disconnect()


@pytest.fixture(scope="module")
def portable_results(synthetic_store):
    table = PortableExecutor(synthetic_store, materialise=False).run(plan_indicators(None, Options()))
    return _frame(table)


def _frame(table) -> pd.DataFrame:
    assert table.schema.equals(LONG_SCHEMA)
    return table.to_pandas().sort_values(KEYS).reset_index(drop=True)


def _assert_same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert len(got) == len(want) > 0
    pd.testing.assert_frame_equal(got[KEYS], want[KEYS])
    for column in ("value", "top_firm_share"):
        np.testing.assert_allclose(got[column].to_numpy(float), want[column].to_numpy(float), rtol=1e-12,
                                   equal_nan=True)
    assert (got.n_firms.fillna(-1).to_numpy() == want.n_firms.fillna(-1).to_numpy()).all()


@pytest.mark.parametrize("group", list(indicator_groups()))
def test_duckdb_executor_equals_its_portable_twin_for_each_group(synthetic_store, portable_results, group):
    """Each group alone through the DuckDB executor (only the accelerated inputs that group needs are
    built) gives the portable expressions' rows."""
    ids = indicator_groups()[group].ids
    got = _frame(DuckDBExecutor(synthetic_store).run(plan_indicators(ids, Options())))
    want = portable_results[portable_results.indicator.isin(ids)].reset_index(drop=True)
    _assert_same(got, want)


def test_whole_catalogue_equal_on_both_executors_and_cached_portable(synthetic_store, portable_results):
    """The whole plan in one run (the accelerations share their inputs) and the portable executor with
    its shared inputs cached give the same rows."""
    plan = plan_indicators(None, Options())
    _assert_same(_frame(DuckDBExecutor(synthetic_store).run(plan)), portable_results)
    _assert_same(_frame(PortableExecutor(synthetic_store).run(plan)), portable_results)


def test_indicator_frame_layout(synthetic_store, portable_results):
    from jiqun.metrics import indicator_frame

    frame = indicator_frame(synthetic_store, indicators=["hhi", "export_share"])
    assert list(frame.columns) == ["cluster", "region", "year", "indicator", "value", "n_firms", "top_firm_share"]
    assert set(frame.indicator) == {"hhi", "export_share"}
    assert frame[["cluster", "region", "year", "indicator"]].equals(
        frame[["cluster", "region", "year", "indicator"]].sort_values(
            ["cluster", "region", "year", "indicator"]).reset_index(drop=True))
    want = portable_results[portable_results.indicator.isin(["hhi", "export_share"])]
    assert len(frame) == len(want)


def test_temporary_inputs_are_dropped(synthetic_store):
    DuckDBExecutor(synthetic_store).run(plan_indicators(None, Options()))
    left = synthetic_store.con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_name LIKE '_jiqun_input_%'").fetchall()
    assert left == []


def test_portable_rewrite_of_results_equals_the_duckdb_transaction(tmp_path, _template_store):
    """Storing results on another backend (a rewrite of the kept and the new rows, used on Spark) leaves
    the rows the DuckDB path (delete + insert in one transaction) leaves, nulls and types included."""
    import datetime as dt
    import shutil

    import pyarrow as pa

    import jiqun
    from jiqun._duck import replace_keyed_rows
    from jiqun.metrics.engine import _rewrite_results

    def rows(values, n_firms):
        count = len(values)
        return pa.table({"cluster_id": ["iot", "materials", "nano"][:count], "region_code": ["320200"] * count,
                         "year": pa.array([2022] * count, pa.int64()), "indicator": ["hhi"] * count,
                         "value": pa.array(values, pa.float64()), "n_firms": pa.array(n_firms, pa.int64()),
                         "top_firm_share": pa.array([None] * count, pa.float64()), "vintage": ["v1"] * count,
                         "computed_at": pa.array([dt.datetime(2024, 1, 1)] * count, pa.timestamp("us"))})

    stored = {}
    for path in ("duckdb", "portable"):
        shutil.copy(_template_store, tmp_path / f"{path}.duckdb")
        con = jiqun.connect(tmp_path / f"{path}.duckdb")
        for batch in (rows([0.5, None, 0.25], [3, None, 2]), rows([0.7], [4])):  # all, then one key again
            if path == "duckdb":
                replace_keyed_rows(con, "indicator_results", batch, ("cluster_id", "region_code", "year", "indicator"))
            else:
                _rewrite_results(con, batch)
        stored[path] = con.table("indicator_results").to_pyarrow().sort_by([("cluster_id", "ascending"),
                                                                            ("value", "ascending")])
        con.disconnect()
    assert stored["portable"].equals(stored["duckdb"])
    assert stored["duckdb"].column("n_firms").to_pylist() == [4, None, 2]
