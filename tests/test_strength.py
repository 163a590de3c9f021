"""cluster_strength against hand-worked values, an independent numpy computation on real German data,
and invariants."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiqun.metrics import cluster_strength


def reference_flags(frame: pd.DataFrame) -> pd.DataFrame:
    """Straightforward re-implementation: one loop per cluster-year, numpy percentiles (linear)."""
    out = []
    e_r = frame.groupby(["region", "year"]).employment.transform("sum")
    e_c = frame.groupby(["cluster", "year"]).employment.transform("sum")
    e = frame.groupby("year").employment.transform("sum")
    frame = frame.assign(lq=(frame.employment / e_r) / (e_c / e), share=frame.employment / e_r)
    for _, g in frame.groupby(["cluster", "year"]):
        pos = g[g.employment > 0]
        p = {q: np.percentile(pos.lq, q) for q in (25, 50, 75, 90)}
        emp25, est25 = np.percentile(pos.employment, 25), np.percentile(pos.establishments, 25)
        emp90, share90 = np.percentile(pos.employment, 90), np.percentile(pos.share, 90)
        for row in g.itertuples():
            size = row.employment > 0 and row.employment > emp25 and row.establishments > est25
            out.append({
                "region": row.region, "cluster": row.cluster, "year": row.year, "lq_ref": row.lq,
                "strong_ref": size and row.lq >= p[75] and row.lq >= 1,
                "strong10_ref": size and row.lq >= p[90] and row.lq >= 1,
                "significant_ref": size and row.lq > p[50],
                "qualifying_ref": size and row.lq > p[25],
                "star_size_ref": row.employment > 0 and row.employment >= emp90,
                "star_specialisation_ref": row.employment > 0 and row.lq >= 2,
                "star_focus_ref": row.employment > 0 and row.share >= share90,
            })
    return pd.DataFrame(out)


def test_hand_worked_example():
    # Region a: 60 in x, 40 in y; region b: 20 in x, 80 in y. Totals: x 80, y 120, all 200.
    regional = pd.DataFrame({
        "region": ["a", "a", "b", "b"], "cluster": ["x", "y", "x", "y"], "year": 2020,
        "employment": [60, 40, 20, 80], "establishments": [6, 4, 2, 8],
    })
    got = cluster_strength(regional).set_index(["region", "cluster"])
    assert got.loc[("a", "x"), "lq"] == pytest.approx((60 / 100) / (80 / 200))   # 1.5
    assert got.loc[("b", "x"), "lq"] == pytest.approx((20 / 100) / (80 / 200))   # 0.5
    assert got.loc[("a", "x"), "region_share"] == pytest.approx(0.6)
    assert got.loc[("a", "x"), "cluster_share"] == pytest.approx(0.75)
    # P75 of lq over {1.5, 0.5} is 1.25; P25 of employment {60, 20} is 30; of establishments {6, 2} is 3.
    assert got.loc[("a", "x"), "strong"] and not got.loc[("b", "x"), "strong"]
    assert not got.loc[("a", "x"), "star_specialisation"]  # 1.5 < 2


def test_reference_area_and_local_clusters():
    regional = pd.DataFrame({
        "region": ["a", "a", "a"], "cluster": ["x", "y", "z"], "year": 2021,
        "employment": [30, 70, 50], "establishments": [3, 7, 5], "traded": [True, True, False],
    })
    nation = pd.DataFrame({"cluster": ["x", "y", "z"], "year": 2021, "employment": [1000, 9000, 4000]})
    got = cluster_strength(regional, nation).set_index("cluster")
    # Traded base: region 100, nation 10,000. x: (30/100)/(1000/10000) = 3.
    assert got.loc["x", "lq"] == pytest.approx(3.0)
    assert got.loc["y", "lq"] == pytest.approx((70 / 100) / (9000 / 10000))
    # Local cluster z is measured against local totals only: (50/50)/(4000/4000) = 1.
    assert got.loc["z", "lq"] == pytest.approx(1.0)
    assert got.loc["x", "star_specialisation"]


def test_zero_employment_gets_no_flag():
    regional = pd.DataFrame({
        "region": ["a", "b", "c"], "cluster": "x", "year": 2020,
        "employment": [0, 10, 30], "establishments": [0, 1, 3],
    })
    other = regional.assign(cluster="y", employment=[50, 20, 5])
    got = cluster_strength(pd.concat([regional, other])).set_index(["region", "cluster"])
    row = got.loc[("a", "x")]
    assert row.lq == 0 and not row[["strong", "strong10", "significant", "qualifying", "star_size", "star_focus"]].any()


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="establishments"):
        cluster_strength(pd.DataFrame({"region": ["a"], "cluster": ["x"], "year": [1], "employment": [1]}))


def test_accepts_pyarrow_and_ibis():
    import ibis
    import pyarrow as pa

    frame = pd.DataFrame({"region": ["a", "b"], "cluster": "x", "year": 2020, "employment": [1, 3],
                          "establishments": [1, 1]})
    assert cluster_strength(pa.Table.from_pandas(frame)).lq.tolist() == [1.0, 1.0]
    expr = cluster_strength(ibis.memtable(frame))
    assert isinstance(expr, ibis.Table)
    assert expr.to_pandas().lq.tolist() == [1.0, 1.0]


def test_german_laender_against_independent_computation(shared_reference):
    raw = pd.read_csv(shared_reference / "germany_laender_wz2008_2015.csv")
    regional = pd.DataFrame({
        "region": raw.region_code, "cluster": raw.ind_code, "year": raw.year.astype(int),
        "employment": raw.emp_all.fillna(0), "establishments": raw.firms.fillna(0),
    })
    got = cluster_strength(regional)
    expected = reference_flags(regional)
    merged = got.merge(expected, on=["region", "cluster", "year"])
    assert len(merged) == len(regional) == 16 * 17
    np.testing.assert_allclose(merged.lq, merged.lq_ref, rtol=1e-12)
    for flag in ("strong", "strong10", "significant", "qualifying", "star_size", "star_specialisation", "star_focus"):
        assert (merged[flag] == merged[f"{flag}_ref"]).all(), flag
    # Sanity on the real data: manufacturing (WZ08-C) is specialised in Baden-Württemberg.
    bw = merged[(merged.region == "BW") & (merged.cluster == "WZ08-C")].iloc[0]
    assert bw.lq > 1.3 and bw.strong


@settings(max_examples=10, deadline=None)
@given(
    emp=st.lists(st.integers(1, 10_000), min_size=6, max_size=6),
    factor=st.sampled_from([2.0, 10.0, 1000.0, 0.001]),
)
def test_lq_invariant_to_scaling_all_employment(emp, factor):
    regional = pd.DataFrame({
        "region": ["a", "a", "b", "b", "c", "c"], "cluster": ["x", "y"] * 3, "year": 2020,
        "employment": emp, "establishments": [1] * 6,
    })
    base = cluster_strength(regional).lq.to_numpy()
    scaled = cluster_strength(regional.assign(employment=regional.employment * factor)).lq.to_numpy()
    np.testing.assert_allclose(base, scaled, rtol=1e-9)


def test_keys_keep_the_given_dtypes_so_the_result_merges_with_the_input():
    # integer region codes (as read from a CSV) and a 32-bit year: both come back as given
    regional = pd.DataFrame({"region": [320100, 320200, 320100, 320200], "cluster": ["x", "x", "y", "y"],
                             "year": np.array([2022] * 4, dtype="int32"),
                             "employment": [10, 30, 5, 5], "establishments": [1, 3, 1, 1]})
    got = cluster_strength(regional)
    assert got["region"].dtype == regional["region"].dtype and got["year"].dtype == regional["year"].dtype
    merged = regional.merge(got[["region", "cluster", "year", "lq"]], on=["region", "cluster", "year"])
    assert len(merged) == 4 and merged["lq"].notna().all()
    assert merged.set_index(["region", "cluster"]).loc[(320100, "x"), "lq"] == pytest.approx((10 / 15) / (40 / 50))
