"""Invariants (hypothesis) and a check on real German data against an independent computation."""

import ibis
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiqun.metrics.concentration import concentration_indicators
from jiqun.metrics.growth import growth_indicators
from jiqun.metrics.specialisation import krugman, specialisation_indicators

FAST = settings(max_examples=15, deadline=None)


def _lq(emp: np.ndarray) -> pd.DataFrame:
    """emp[r, c] -> LQ via the library (reference = the sum over regions)."""
    nr, nc = emp.shape
    rows = [dict(cluster_id=f"c{c}", region_code=f"r{r}", year=2020, level="city", employment=float(emp[r, c]),
                 output=float(emp[r, c]), n=1, employment_max=float(emp[r, c]), output_max=float(emp[r, c]))
            for r in range(nr) for c in range(nc)]
    totals = ibis.memtable(pd.DataFrame(rows))
    regions = ibis.memtable(pd.DataFrame({"region_code": [f"r{r}" for r in range(nr)], "year": 2020,
                                          "e_r": emp.sum(1).astype(float), "q_r": emp.sum(1).astype(float)}))
    ref = pd.DataFrame({"cluster_id": [f"c{c}" for c in range(nc)] + ["all"], "year": 2020,
                        "e_c": list(emp.sum(0).astype(float)) + [float(emp.sum())],
                        "q_c": list(emp.sum(0).astype(float)) + [float(emp.sum())], "reference_region": "ref"})
    got = specialisation_indicators(totals, regions, ibis.memtable(ref)).execute()
    return got[got.indicator == "lq_employment"].set_index(["region_code", "cluster_id"]).value.sort_index()


matrices = st.integers(2, 4).flatmap(lambda r: st.integers(2, 4).flatmap(
    lambda c: st.lists(st.integers(1, 10_000), min_size=r * c, max_size=r * c).map(
        lambda v: np.array(v).reshape(r, c))))


@FAST
@given(matrices, st.floats(0.01, 1000))
def test_lq_unchanged_when_all_employment_scaled(emp, k):
    a, b = _lq(emp), _lq(emp * k)
    np.testing.assert_allclose(a.values, b.values, rtol=1e-9)


@FAST
@given(st.lists(st.floats(0.01, 1e9), min_size=1, max_size=30))
def test_hhi_between_one_over_n_and_one(revenues):
    fy = ibis.memtable(pd.DataFrame({"cluster_id": "c", "region_code": "r", "year": 2020,
                                     "uscc": [f"f{i}" for i in range(len(revenues))], "revenue": revenues}))
    got = concentration_indicators(fy).execute().set_index("indicator").value
    n = len(revenues)
    assert 1 / n - 1e-12 <= got["hhi"] <= 1 + 1e-12
    assert got["hhi"] == pytest.approx(sum((x / sum(revenues)) ** 2 for x in revenues))
    assert got["cr4"] <= got["cr10"] + 1e-12 <= 1 + 2e-12


@FAST
@given(st.integers(0, 10_000), st.integers(0, 10_000), st.integers(1, 10 ** 6), st.integers(1, 10 ** 6),
       st.integers(1, 10 ** 7), st.integers(1, 10 ** 7))
def test_shift_share_components_sum_to_total(e0, e1, c0, c1, t0, t1):
    totals = ibis.memtable(pd.DataFrame({
        "cluster_id": "c", "region_code": "r", "year": [2020, 2021], "level": "city", "n": 1,
        "employment": [float(e0), float(e1)], "employment_max": [float(e0), float(e1)],
        "output": 1.0, "output_max": 1.0}))
    ref = ibis.memtable(pd.DataFrame({"cluster_id": ["c", "c", "all", "all"], "year": [2020, 2021, 2020, 2021],
                                      "e_c": [float(c0), float(c1), float(t0 + c0), float(t1 + c1)],
                                      "q_c": 1.0, "reference_region": "ref"}))
    got = growth_indicators(totals, ref).execute().set_index("indicator").value
    parts = got["ss_reference_growth"] + got["ss_industry_mix"] + got["ss_local_competitiveness"]
    assert parts == pytest.approx(got["ss_total_change"], abs=1e-6)
    assert got["ss_total_change"] == e1 - e0


def test_german_laender(shared_reference):
    raw = pd.read_csv(shared_reference / "germany_laender_wz2008_2015.csv")
    raw = raw.dropna(subset=["emp_all"])
    emp = raw.pivot_table(index="region_code", columns="ind_code", values="emp_all", aggfunc="sum").fillna(0)
    # Independent numpy computation.
    E = emp.to_numpy()
    lq_ref = (E / E.sum(1, keepdims=True)) / (E.sum(0) / E.sum())
    shares = E / E.sum(1, keepdims=True)
    k_ref = np.abs(shares - E.sum(0) / E.sum()).sum(1)
    hhi_ref = ((E / E.sum(0)) ** 2).sum(0)  # each section's concentration over the Länder
    # Library.
    lq = _lq(E).unstack()
    order = [f"r{i}" for i in range(E.shape[0])]
    np.testing.assert_allclose(lq.loc[order, [f"c{j}" for j in range(E.shape[1])]].to_numpy(), lq_ref, rtol=1e-9)
    long = emp.stack().rename("e_ri").reset_index().rename(columns={"ind_code": "division"}).assign(year=2015)
    ref = long.groupby(["year", "division"], as_index=False).e_ri.sum().rename(columns={"e_ri": "e_i"})
    k = krugman(ibis.memtable(long), ibis.memtable(ref)).execute().set_index("region_code").krugman
    np.testing.assert_allclose(k.loc[emp.index].to_numpy(), k_ref, rtol=1e-9)
    fy = long.rename(columns={"division": "cluster_id", "e_ri": "revenue", "region_code": "uscc"}).assign(
        region_code="DE")
    got = concentration_indicators(ibis.memtable(fy[fy.revenue > 0])).execute()
    hhi = got[got.indicator == "hhi"].set_index("cluster_id").value
    np.testing.assert_allclose(hhi.loc[emp.columns].to_numpy(), hhi_ref, rtol=1e-9)
