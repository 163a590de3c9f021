"""One suite, two backends: the same analytics on DuckDB and on Spark give identical results.

Each test computes on ``backend`` (a copy of the source store in DuckDB or Spark) and compares
with the same computation on the source DuckDB store: rows sorted by their keys, floats within
rtol 1e-12, integers, strings and flags equal.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from jiqun import connect
from jiqun.schema import TABLES
from jiqun.store import copy_tables

# Both halves run in .ci/run after the main suite (pytest -m 'parity or spark' tests/parity).
pytestmark = pytest.mark.parity


def indicator_table(con) -> pd.DataFrame:
    """The indicator catalogue of a store in the long layout, computed by the store's production
    executor (DuckDB: the accelerated executor; Spark: the portable one)."""
    from jiqun.metrics import indicator_frame

    return indicator_frame(con)


def _is_float(series: pd.Series) -> bool:
    return pd.api.types.is_float_dtype(series.dtype)


def _plain(value):
    """A cell as a comparable Python value (None for every kind of missing)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        return None
    return value.item() if isinstance(value, np.generic) else value


def assert_same_rows(actual: pd.DataFrame, expected: pd.DataFrame, keys=None) -> None:
    """Same columns and rows (sorted by ``keys``, default: every non-float column); floats rtol 1e-12."""
    assert list(actual.columns) == list(expected.columns)
    assert len(actual) == len(expected), f"{len(actual)} rows, expected {len(expected)}"
    keys = keys or [c for c in expected.columns if not _is_float(expected[c])]
    actual = actual.sort_values(keys, kind="stable").reset_index(drop=True)
    expected = expected.sort_values(keys, kind="stable").reset_index(drop=True)
    for column in expected.columns:
        if _is_float(expected[column]) or _is_float(actual[column]):
            np.testing.assert_allclose(actual[column].astype(float).to_numpy(),
                                       expected[column].astype(float).to_numpy(), rtol=1e-12, atol=0,
                                       equal_nan=True, err_msg=f"column {column}")
        else:
            got = [_plain(v) for v in actual[column]]
            want = [_plain(v) for v in expected[column]]
            assert got == want, f"column {column} differs"


def test_indicator_catalogue(backend, on_source, source_store):
    """The catalogue computed on the backend equals DuckDB's, and storing it in ``indicator_results``
    (with the data vintage) works there too."""
    from jiqun.metrics.engine import FRAME_COLUMNS, compute_indicator_table, data_vintage, save_indicator_results

    expected = on_source(indicator_table)
    assert len(expected) > 1000 and expected["indicator"].nunique() > 30
    keys = ["cluster", "region", "year", "indicator"]
    computed = compute_indicator_table(backend)
    assert_same_rows(computed.rename_columns(list(FRAME_COLUMNS.values())).to_pandas(), expected, keys=keys)
    try:
        assert save_indicator_results(backend, computed) == len(expected)
        stored = backend.table("indicator_results").to_pandas()
        assert set(stored["vintage"]) == {data_vintage(source_store)}  # read from the backend's loads
        stored = stored.drop(columns=["vintage", "computed_at"]).rename(columns=FRAME_COLUMNS)
        assert_same_rows(stored[list(expected.columns)], expected, keys=keys)
    finally:
        copy_tables(source_store, backend, ["indicator_results"])  # leave it as copied


def strength_table(con) -> pd.DataFrame:
    from jiqun.metrics import store_strength

    return store_strength(con).to_pandas()


def test_strength_flags(backend, on_source):
    expected = on_source(strength_table)
    assert len(expected) > 0
    assert_same_rows(strength_table(backend), expected)


def evaluation(con, level: str):
    """(scheme, evaluations, unit names, flat table) of the shipped scheme over all years, from the
    stored indicator results."""
    from jiqun.evaluation.report import flat_table
    from jiqun.evaluation.scheme import load_scheme
    from jiqun.evaluation.store import evaluate_store

    scheme = load_scheme(None)
    evaluations, units = evaluate_store(con, scheme, level, None, True, None, draws=20, seed=1)
    return scheme, evaluations, units, flat_table(evaluations, units)


@pytest.mark.parametrize("level", ["province", "city"])
def test_evaluation_with_typology(backend, on_source, level):
    *_, expected = on_source(evaluation, level)
    assert len(expected) > 0 and expected["type"].notna().all() and expected["type"].nunique() >= 2
    *_, actual = evaluation(backend, level)
    assert_same_rows(actual, expected, keys=["cluster", "region", "year"])


#: IPC symbols in the shapes analysts' files hold, main groups without a subgroup among them.
IPC_SHAPES = ["H01L 21/67", "H01L21/67", " g06f 30/39 ", "H01L 21", "H01L 21/", "H01L", "F16H1/32", "G05B  19/18"]


def test_ipc_normalisation(backend):
    """The PATSTAT padding of IPC symbols is the same on the backend, including symbols with no
    ``/`` (Spark in ANSI mode refuses an array index past the end, which DuckDB reads as null)."""
    import ibis

    from jiqun.metrics.innovation import normalise_ipc

    symbols = ibis.memtable(pd.DataFrame({"ipc": IPC_SHAPES}))
    got = backend.execute(symbols.mutate(padded=normalise_ipc(symbols.ipc))).sort_values("ipc")
    assert dict(zip(got["ipc"], got["padded"])) == {
        "H01L 21/67": "H01L  21/67", "H01L21/67": "H01L  21/67", " g06f 30/39 ": "G06F  30/39",
        "H01L 21": "H01L  21/", "H01L 21/": "H01L  21/", "H01L": "H01L", "F16H1/32": "F16H   1/32",
        "G05B  19/18": "G05B  19/18"}


def chokepoint_table(con) -> pd.DataFrame:
    """The chokepoint inventory of every cluster (evidence dicts left out: they hold the same
    measures as the columns)."""
    from jiqun.chokepoints import chokepoint_inventory

    return chokepoint_inventory(con).drop(columns=["evidence"])


def test_chokepoint_inventory(backend, on_source):
    expected = on_source(chokepoint_table)
    assert len(expected) > 10 and expected["class"].nunique() >= 2
    assert_same_rows(chokepoint_table(backend), expected, keys=["cluster_id", "node_id", "hs6"])


#: What an evaluation reads besides the shipped catalogue (which a new store holds already).
EVALUATION_INPUTS = ["indicator_results", "evaluation_results", "evaluation_schemes"]


def test_evaluation_results_written(backend, source_store):
    from jiqun.evaluation.store import write_evaluation_results

    written = {}
    reference = connect(":memory:")
    try:
        copy_tables(source_store, reference, EVALUATION_INPUTS)
        for name, con in (("reference", reference), ("backend", backend)):
            scheme, evaluations, units, _ = evaluation(con, "province")
            assert write_evaluation_results(con, evaluations, scheme, units) > 0
            # Writing again replaces the same keys (idempotent).
            count = write_evaluation_results(con, evaluations, scheme, units)
            results = con.table("evaluation_results").drop("computed_at").to_pandas()
            schemes = con.table("evaluation_schemes").drop("stored_at").to_pandas()
            assert len(results) == count and len(schemes) == 1
            written[name] = results, schemes
    finally:
        reference.disconnect()
        copy_tables(source_store, backend, ["evaluation_results", "evaluation_schemes"])  # leave it as copied
    assert_same_rows(written["backend"][0], written["reference"][0], keys=["scheme_sha256", "year", "cluster_id",
                                                                          "region_code"])
    assert_same_rows(written["backend"][1], written["reference"][1])


def test_copy_tables_round_trip(backend, source_store):
    """DuckDB -> backend -> DuckDB gives identical tables: same types, same rows, bit-equal values."""
    back = connect(":memory:")
    try:
        counts = copy_tables(backend, back)
        assert list(counts) == list(TABLES)
        for name, table in TABLES.items():
            original, copied = source_store.table(name), back.table(name)
            assert copied.schema() == original.schema(), name
            assert counts[name] == original.count().execute(), name
            order = [(name, "ascending") for name in table.column_names]
            assert copied.to_pyarrow().sort_by(order).equals(original.to_pyarrow().sort_by(order)), name
    finally:
        back.disconnect()
    assert counts["firms"] > 1000 and counts["transactions"] > 1000


def test_evaluation_write_paths_agree(source_store):
    """The DuckDB write of evaluation results and its portable twin leave the same rows."""
    import datetime as dt

    from jiqun.evaluation.store import result_rows, write_evaluation_results, write_results_portable

    now = dt.datetime(2024, 1, 1)
    tables = {}
    for path in ("duckdb", "portable"):
        con = connect(":memory:")
        try:
            copy_tables(source_store, con, EVALUATION_INPUTS)
            scheme, evaluations, units, _ = evaluation(con, "province")
            for part in (evaluations, evaluations[-1:]):  # everything, then a partial rewrite
                if path == "portable":
                    write_results_portable(con, result_rows(part, scheme, units, now), scheme, now)
                else:
                    write_evaluation_results(con, part, scheme, units)
            tables[path] = [con.table(name).drop(stamp).to_pandas() for name, stamp in
                            (("evaluation_results", "computed_at"), ("evaluation_schemes", "stored_at"))]
        finally:
            con.disconnect()
    assert len(tables["duckdb"][0]) > 0
    for portable, duck in zip(tables["portable"], tables["duckdb"]):
        assert_same_rows(portable, duck)
