"""Marts: firm → cluster assignment and cluster × city × year totals, against hand-computed values."""

import pandas as pd
import pytest

from jiqun import marts
from jiqun.ingest import ingest_table


@pytest.fixture
def small_store(store, make_uscc):
    a, b, c, d = (make_uscc(i) for i in range(1, 5))
    firms = pd.DataFrame({
        "uscc": [a, b, c, d],
        "name": ["甲物联网", "乙传感", "丙机械", "丁纺织"],
        "region_code": ["320281", "320205", "320303", "320506"],
        "industry_code": ["3983", "3961", "3511", "171"],
    })
    ingest_table(store, firms, "firms")
    years = pd.DataFrame({
        "uscc": [a, b, c, d, a],
        "year": [2022, 2022, 2022, 2022, 2023],
        "revenue_yuan": [100e6, 10e6, 50e6, 30e6, 120e6],
        "employment": [100, 50, 80, 60, 110],
    })
    ingest_table(store, years, "firm_years")
    ingest_table(store, pd.DataFrame({"uscc": [c], "node_id": ["integrated_circuits.u1"]}), "firm_chain_nodes")
    return store, (a, b, c, d)


def test_firm_clusters_by_prefix_and_chain_node(small_store):
    store, (a, b, c, d) = small_store
    got = marts.firm_clusters(store).execute()
    pairs = {(r.uscc, r.cluster_id, r.via) for r in got.itertuples()}
    assert pairs == {
        (a, "iot", "industry"), (b, "iot", "industry"),
        (c, "engineering_machinery", "industry"), (c, "integrated_circuits", "chain_node"),
        (d, "high_end_textiles", "industry"),  # 3-digit member code 171
    }


def test_cluster_city_year_hand_computed(small_store):
    store, _ = small_store
    got = marts.cluster_city_year(store).execute().set_index(["cluster_id", "city_code", "year"])
    iot = got.loc[("iot", "320200", 2022)]
    assert iot.n_firms == 2
    assert iot.n_above_size == 1          # 10 million yuan is below the 规上 threshold of 20 million
    assert iot.revenue_yuan == pytest.approx(110e6)
    assert iot.employment == 150
    assert iot.top_firm_share == pytest.approx(100 / 110)
    assert got.loc[("iot", "320200", 2023)].n_firms == 1
    assert got.loc[("integrated_circuits", "320300", 2022)].revenue_yuan == pytest.approx(50e6)
    # Accounting identity: each firm-year's revenue is counted once per cluster it belongs to.
    assert got.revenue_yuan.sum() == pytest.approx(100e6 + 10e6 + 2 * 50e6 + 30e6 + 120e6)


def test_city_year_totals(small_store):
    store, _ = small_store
    got = marts.city_year(store).execute().set_index(["city_code", "year"])
    assert got.loc[("320200", 2022)].revenue_yuan == pytest.approx(110e6)
    assert got.loc[("320500", 2022)].n_firms == 1
    assert got.revenue_yuan.sum() == pytest.approx(310e6)
