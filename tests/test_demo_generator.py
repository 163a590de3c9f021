"""The synthetic demo: every file loads through validated ingest, deterministically, and looks real."""

from __future__ import annotations

import hashlib
import time

import pytest

from jiqun.codes import uscc_is_valid
from jiqun.demo import generate
from jiqun.demo.gen_common import uscc_array
from jiqun.ingest import ingest_file

import numpy as np


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    started = time.perf_counter()
    files = generate(out, "small", seed=2024)
    return out, files, time.perf_counter() - started


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_uscc_vectorised_matches_reference(make_uscc):
    codes = uscc_array("91", np.array(["320205"] * 500 + ["310000"] * 500), np.arange(1000))
    assert all(uscc_is_valid(c) for c in codes)
    assert len(set(codes)) == 1000


def test_load_order_and_synthetic_label(small_demo):
    out, files, _ = small_demo
    tables = [t for t, _ in files]
    assert tables[0] == "firms"
    assert tables.index("organizations") < tables.index("organization_years")
    assert {"firm_years", "transactions", "trade", "patents", "trademarks", "regional_employment", "policies",
            "talent_moves", "firm_chain_nodes"} <= set(tables)
    assert "SYNTHETIC" in (out / "README.txt").read_text(encoding="utf-8")
    assert files[0][1].suffix == ".xlsx"
    raw = dict(files)["firm_years"].read_bytes()[:200]
    assert "营业收入（万元）".encode("gbk") in raw


def test_same_seed_same_bytes(small_demo, tmp_path):
    _, files, _ = small_demo
    again = generate(tmp_path / "again", "small", seed=2024)
    assert [_sha(p) for _, p in files] == [_sha(p) for _, p in again]


def test_ingest_and_realism(small_demo, store):
    _, files, gen_seconds = small_demo
    started = time.perf_counter()
    for table, path in files:
        result = ingest_file(store, path, table)
        assert result.rows_rejected == 0
        assert result.rows_in_file > 0
    assert gen_seconds + time.perf_counter() - started < 60
    q = lambda sql: store.con.execute(sql).fetchall()  # noqa: E731

    # Cities ranked by their economy: Suzhou first, Lianyungang/Suqian among the smallest.
    ranking = [r[0] for r in q("SELECT substr(f.region_code, 1, 4) || '00' c, sum(y.revenue_yuan) r FROM firms f "
                                "JOIN firm_years y USING (uscc) WHERE y.year = 2022 GROUP BY 1 ORDER BY r DESC")]
    assert ranking[0] == "320500"
    assert set(ranking[-3:]) & {"320700", "321300"}

    # Heavy tails: 规上 firms are a minority but hold most revenue; the top 1% hold a large share.
    n, gs, gs_rev, total = q("SELECT count(*), count(*) FILTER (WHERE revenue_yuan >= 2e7), "
                             "sum(revenue_yuan) FILTER (WHERE revenue_yuan >= 2e7), sum(revenue_yuan) "
                             "FROM firm_years WHERE year = 2022")[0]
    assert 0.03 < gs / n < 0.25
    assert gs_rev / total > 0.8
    # Province-equivalent 规上 revenue of the order of 16 trillion yuan (scale 4,000 / 1M firms).
    assert 0.5 * 16e12 < gs_rev / 0.004 < 1.5 * 16e12

    # Cluster concentration: IoT largest in Wuxi, engineering machinery in Xuzhou.
    def top_city(cluster):
        return q(f"SELECT f.region_code FROM firms f JOIN firm_chain_nodes c USING (uscc) JOIN chain_nodes n "
                 f"USING (node_id) JOIN firm_years y USING (uscc) WHERE n.cluster_id = '{cluster}' AND y.year = 2022 "
                 f"AND c.is_primary GROUP BY substr(f.region_code, 1, 4) ORDER BY sum(y.revenue_yuan) DESC LIMIT 1"
                 .replace("SELECT f.region_code", "SELECT substr(f.region_code, 1, 4)"))[0][0]
    assert top_city("iot") == "3202"
    assert top_city("engineering_machinery") == "3203"

    # Key components mostly imported, other inputs mostly domestic.
    shares = dict(q("SELECT n.is_key_component, avg((t.seller_country <> 'CHN')::INT) FROM transactions t "
                    "JOIN chain_nodes n USING (node_id) WHERE t.buyer_region_code LIKE '32%' GROUP BY 1"))
    assert shares[True] > 0.6 and shares[False] < 0.15
    # Transactions cover local, elsewhere-in-Jiangsu, out-of-province and imported suppliers.
    kinds = q("SELECT count(*) FILTER (WHERE seller_region_code LIKE '32%'), "
              "count(*) FILTER (WHERE seller_region_code NOT LIKE '32%'), "
              "count(*) FILTER (WHERE seller_region_code IS NULL AND seller_country <> 'CHN') FROM transactions")[0]
    assert all(k > 0 for k in kinds)

    # Ownership: private majority; branch plants over-represented among the largest firms.
    own = dict(q("SELECT ownership, count(*) FROM firms GROUP BY 1"))
    assert own["private"] > 0.6 * sum(own.values()) and own["state"] and own["foreign"] and own["hmt"]
    big, small = q("SELECT avg(is_branch::INT) FILTER (WHERE r >= 0.99), avg(is_branch::INT) FILTER (WHERE r < 0.5) "
                   "FROM (SELECT f.is_branch, percent_rank() OVER (ORDER BY y.revenue_yuan) r FROM firms f "
                   "JOIN firm_years y USING (uscc) WHERE y.year = 2022)")[0]
    assert big > 3 * small

    # Patents concentrated: the top 10% of patenting firms file more than half.
    top10 = q("WITH p AS (SELECT applicant_uscc, count(*) n FROM patents WHERE applicant_uscc IS NOT NULL GROUP BY 1) "
              "SELECT sum(n) FILTER (WHERE r <= 0.1) / sum(n) FROM (SELECT n, cume_dist() OVER (ORDER BY n DESC) r "
              "FROM p)")[0][0]
    assert top10 > 0.5
    assert q("SELECT count(*) FROM patents WHERE applicant_uscc IS NULL AND applicant_country <> 'CHN'")[0][0] > 0

    # Regional employment equals the firm totals.
    a = q("SELECT sum(employment) FROM regional_employment WHERE year = 2022")[0][0]
    b = q("SELECT sum(y.employment) FROM firm_years y JOIN firm_chain_nodes c USING (uscc) WHERE c.is_primary "
          "AND y.year = 2022")[0][0]
    assert a == pytest.approx(b)
    # Talent moves mostly stay within a cluster.
    same = q("SELECT avg((a.node_id IS NOT NULL AND split_part(a.node_id, '.', 1) = split_part(b.node_id, '.', 1))"
             "::INT) FROM talent_moves m JOIN firm_chain_nodes a ON a.uscc = m.from_uscc AND a.is_primary "
             "JOIN firm_chain_nodes b ON b.uscc = m.to_uscc AND b.is_primary")[0][0]
    assert same > 0.6


def test_small_firms_are_plausible(small_demo):
    """No 57-yuan firms: a floor near real micro-firm magnitudes, few firms under 1 million yuan,
    规上 (>= 20 million yuan) a minority holding most revenue, revenue per worker in a plausible band."""
    import pandas as pd

    out, _, _ = small_demo
    years = pd.read_csv(out / "firm_years_gbk.csv", encoding="gbk")
    latest = years[years["年份"] == 2023]
    revenue = latest["营业收入（万元）"] * 1e4
    per_worker = revenue / latest["从业人员"]
    assert len(latest) > 3000
    assert revenue.min() >= 2e5 and (years["营业收入（万元）"] * 1e4).min() >= 2e5
    assert (revenue < 1e6).mean() < 0.2
    assert 0.03 < (revenue >= 2e7).mean() < 0.2
    assert revenue[revenue >= 2e7].sum() / revenue.sum() > 0.75
    assert ((per_worker >= 2e5) & (per_worker <= 5e6)).mean() >= 0.99
    assert per_worker.min() > 1e5
