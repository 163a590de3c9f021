"""Every catalogue indicator against values worked out by hand on a small hand-made store."""

import math

import pandas as pd
import pytest

from jiqun.ingest import ingest_table
from jiqun.metrics import Options, compute_indicators, load_catalogue, store_strength, write_indicator_results

M = 1e6


@pytest.fixture(scope="module")
def hand_store(tmp_path_factory, _template_store):
    import shutil

    import jiqun
    from conftest import make_uscc_fn

    path = tmp_path_factory.mktemp("ind") / "s.duckdb"
    shutil.copy(_template_store, path)
    con = jiqun.connect(path)
    a, b, c, d, e = (make_uscc_fn(i) for i in range(1, 6))
    ingest_table(con, pd.DataFrame({
        "uscc": [a, b, c, d, e], "name": ["甲", "乙", "丙", "丁", "戊"],
        "region_code": ["320281", "320205", "320506", "320506", "320211"],
        "industry_code": ["3983", "3961", "3983", "171", "171"],
        "ownership": ["foreign", "private", "private", "private", "private"],
        "is_branch": [True, False, False, False, False], "listed": [True, False, False, False, False],
        "srdi_level": ["little_giant", "provincial", "none", "none", "none"],
        "single_champion": [False, False, True, False, False],
    }), "firms")
    ingest_table(con, pd.DataFrame({
        "uscc": [a, b, c, d, e] * 2, "year": [2022] * 5 + [2023] * 5,
        "revenue_yuan": [100 * M, 10 * M, 50 * M, 30 * M, 110 * M, 120 * M, 30 * M, 50 * M, 30 * M, 20 * M],
        "output_value_yuan": [90 * M, 10 * M, 40 * M, 30 * M, 100 * M, 100 * M, 20 * M, 60 * M, 30 * M, 20 * M],
        "employment": [100, 50, 80, 60, 10, 110, 40, 80, 70, 10],
        "rd_expenditure_yuan": [5 * M, 1 * M, 0, 0, 0, 6 * M, 1 * M, 0, 0, 0],
        "exports_yuan": [20 * M, 0, 10 * M, 0, 0, 30 * M, 0, 10 * M, 0, 0],
    }), "firm_years")
    ingest_table(con, pd.DataFrame({"uscc": [a, b, b, c], "node_id": ["iot.u1", "iot.u1", "iot.m1", "iot.d1"]}),
                 "firm_chain_nodes")
    tx = pd.DataFrame([
        # id, year, seller, seller region, seller country, buyer, buyer region, buyer country, amount
        ("t1", 2022, e, "320211", "CHN", a, "320281", "CHN", 40 * M),
        ("t2", 2022, e, "320211", "CHN", b, "320205", "CHN", 10 * M),
        ("t3", 2022, e, "320211", "CHN", None, None, "DEU", 50 * M),
        ("t4", 2022, e, "320211", "CHN", c, "320506", "CHN", 10 * M),
        ("t5", 2022, None, None, "JPN", a, "320281", "CHN", 30 * M),
        ("t6", 2022, None, "310000", "CHN", a, "320281", "CHN", 20 * M),
        ("t7", 2023, e, "310000", "CHN", a, "320281", "CHN", 20 * M),
    ], columns=["transaction_id", "year", "seller_uscc", "seller_region_code", "seller_country", "buyer_uscc",
                "buyer_region_code", "buyer_country", "amount_yuan"]).assign(node_id="iot.u1")
    ingest_table(con, tx, "transactions")
    ingest_table(con, pd.DataFrame({
        "patent_id": ["p1", "p2", "p3", "p4", "p5"],
        "applicant_uscc": [a, b, b, None, None],
        "applicant_country": ["CHN", "CHN", "CHN", "JPN", "CHN"],
        "applicant_region_code": ["320281", "320205", "320205", None, "320100"],
        "application_date": pd.to_datetime(["2022-03-01", "2022-04-01", "2022-05-01", "2022-06-01", "2022-07-01"]).date,
        "grant_date": [pd.Timestamp("2023-05-01").date(), None, None, None, None],
        "ipc_main": ["H04W 4/70", "G06F 16/00", "H04W 4/00", "H04W 12/00", "C08L 1/00"],
        "patent_type": ["invention", "invention", "utility", "invention", "invention"],
        "pct": [False, True, False, False, False],
    }), "patents")
    ingest_table(con, pd.DataFrame({"registration_id": ["m1"], "owner_uscc": [a], "system": ["madrid"],
                                    "registration_date": [pd.Timestamp("2022-06-01").date()]}), "trademarks")
    ingest_table(con, pd.DataFrame({
        "region_code": "100000", "classification": ["cluster", "cluster", "industry", "industry", "industry", "industry"],
        "sector_code": ["iot", "iot", "39", "39", "17", "17"], "year": [2022, 2023, 2022, 2023, 2022, 2023],
        "employment": [1000, 1200, 1000, 1100, 9000, 9900],
        "output_value_yuan": [1e9, 1.1e9, 1e9, 1.1e9, 9e9, 9.9e9],
    }), "regional_employment")
    ingest_table(con, pd.DataFrame({"uscc": [c, c], "year": [2023, 2023], "product": ["MEMS传感器", "MEMS传感器"],
                                    "scope": ["world", "national"], "market_share": [0.12, 0.4],
                                    "market_rank": [2, 1]}), "firm_markets")
    ingest_table(con, pd.DataFrame({"organization_id": ["O1"], "name": ["无锡物联网产业协会"], "cluster_id": ["iot"],
                                    "region_code": ["320211"]}), "organizations")
    ingest_table(con, pd.DataFrame({"organization_id": ["O1", "O1"], "year": [2022, 2023], "member_firms": [4, 6]}),
                 "organization_years")
    result = compute_indicators(con, Options(leaders_k=1, cagr_window=1)).execute()
    yield con, result.set_index(["cluster_id", "region_code", "year", "indicator"])
    con.disconnect()


def v(got, indicator, region="320200", year=2022, cluster="iot"):
    return got.loc[(cluster, region, year, indicator)]


# Wuxi (320200) iot 2022: firms A (100m revenue, 90m output, 100 staff) and B (10m, 10m, 50).
# Suzhou (320500) iot: C (50m, 40m, 80). Province iot 2022: A, B, C.
SCALE = [
    ("output_value", "320200", 2022, 100 * M), ("revenue", "320200", 2022, 110 * M),
    ("n_above_size", "320200", 2022, 1), ("employment", "320200", 2022, 150),
    ("output_value", "320000", 2022, 140 * M), ("n_above_size", "320000", 2022, 2),
    ("province_output_share", "320200", 2022, 100 / 140),
    ("output_growth_yoy", "320200", 2023, 120 / 100 - 1), ("employment_growth_yoy", "320200", 2023, 0.0),
    ("output_cagr", "320000", 2023, 180 / 140 - 1),  # window 1
]


@pytest.mark.parametrize("indicator,region,year,expected", SCALE)
def test_scale_and_growth(hand_store, indicator, region, year, expected):
    assert v(hand_store[1], indicator, region, year).value == pytest.approx(expected)


def test_top_firm_share_and_n_firms(hand_store):
    row = v(hand_store[1], "revenue")
    assert row.n_firms == 2 and row.top_firm_share == pytest.approx(100 / 110)


def test_shift_share(hand_store):
    got = hand_store[1]
    # Wuxi iot employment 150 -> 150; nation total 10000 -> 11000 (G = 0.1), iot 1000 -> 1200 (Gc = 0.2).
    assert v(got, "ss_total_change", year=2023).value == pytest.approx(0)
    assert v(got, "ss_reference_growth", year=2023).value == pytest.approx(150 * 0.1)
    assert v(got, "ss_industry_mix", year=2023).value == pytest.approx(150 * (0.2 - 0.1))
    assert v(got, "ss_local_competitiveness", year=2023).value == pytest.approx(150 * (0.0 - 0.2))


def test_specialisation(hand_store):
    got = hand_store[1]
    # Wuxi: e_rc 150 of e_r 160 (E in textiles: 10); nation: 1000 of 10000.
    assert v(got, "lq_employment").value == pytest.approx((150 / 160) / (1000 / 10000))
    assert v(got, "lq_employment", "320500").value == pytest.approx((80 / 140) / 0.1)
    assert v(got, "lq_output").value == pytest.approx((100 / 200) / (1e9 / 1e10))
    assert v(got, "national_output_share").value == pytest.approx(100 * M / 1e9)
    # Krugman, Wuxi: divisions 39: 150/160, 17: 10/160 against 0.1 / 0.9.
    k = abs(150 / 160 - 0.1) + abs(10 / 160 - 0.9)
    assert v(got, "krugman_index", cluster="all").value == pytest.approx(k)
    assert ("iot", "100000", 2022, "lq_employment") not in got.index  # the reference region itself


def test_concentration(hand_store):
    got = hand_store[1]
    assert v(got, "hhi").value == pytest.approx((100 / 110) ** 2 + (10 / 110) ** 2)
    assert v(got, "cr4").value == pytest.approx(1.0)
    assert v(got, "cr4", "320000").value == pytest.approx(1.0)
    # Ellison-Glaeser, province iot 2022 over cities Wuxi (all 160, iot 150) and Suzhou (all 140, iot 80).
    x = [160 / 300, 140 / 300]
    s = [150 / 230, 80 / 230]
    g = sum((si - xi) ** 2 for si, xi in zip(s, x))
    h = (100 ** 2 + 50 ** 2 + 80 ** 2) / 230 ** 2
    sx2 = sum(xi ** 2 for xi in x)
    gamma = (g - (1 - sx2) * h) / ((1 - sx2) * (1 - h))
    assert v(got, "ellison_glaeser", "320000").value == pytest.approx(gamma)


def test_leading_firms(hand_store):
    got = hand_store[1]  # leaders_k = 1: A in Wuxi and in the province
    assert v(got, "leader_output_share").value == pytest.approx(0.9)
    assert v(got, "top_firm_output_share", "320000").value == pytest.approx(90 / 140)
    assert v(got, "leader_branch_share").value == pytest.approx(1.0)
    # Local supplier E sold 40 to A, 10 to B, 50 abroad, 10 to C: 40 / 110 went to the leader.
    assert v(got, "leader_driving_power").value == pytest.approx(40 / 110)
    assert v(got, "leader_driving_power", "320000").value == pytest.approx(40 / 110)


def test_innovation(hand_store):
    got = hand_store[1]
    assert v(got, "rd_intensity").value == pytest.approx(6 / 110)
    assert v(got, "invention_apps_per_10k_emp").value == pytest.approx(2 * 10_000 / 150)
    assert v(got, "invention_apps_per_100m_output").value == pytest.approx(2 / 1.0)
    assert v(got, "invention_grants_per_10k_emp", year=2023).value == pytest.approx(10_000 / 150)
    assert v(got, "invention_grants_per_100m_output", year=2023).value == pytest.approx(1 / 1.2)
    assert v(got, "pct_applications").value == 1
    # iot fields include 4 (H04W) and 6 (G06F); national Chinese inventions there: p1, p2.
    assert v(got, "national_patent_share").value == pytest.approx(1.0)
    # RTA Wuxi: 2 of its 2 inventions in the fields; nation: 2 of 3 (p5 is C08L, field 17).
    assert v(got, "rta_cluster_fields").value == pytest.approx((2 / 2) / (2 / 3))
    assert v(got, "foreign_applicant_share", "100000").value == pytest.approx(1 / 3)


def test_openness_and_quality(hand_store):
    got = hand_store[1]
    assert v(got, "export_share").value == pytest.approx(20 / 110)
    # 出口交货值 / 工业总产值: Wuxi IoT exports 20 of output 90 + 10 in 2022, 30 of 100 + 20 in 2023,
    # all from firm a.
    assert v(got, "export_output_share").value == pytest.approx(20 / 100)
    assert v(got, "export_output_share", year=2023).value == pytest.approx(30 / 120)
    assert v(got, "export_output_share").n_firms == 2 and v(got, "export_output_share").top_firm_share == 1
    assert v(got, "intl_trademarks").value == 1 and v(got, "intl_trademarks", year=2023).value == 0
    assert v(got, "firms_with_intl_trademarks", year=2023).value == 1
    assert v(got, "n_srdi").value == 2 and v(got, "n_little_giants").value == 1
    # world market leaders (firm_markets): C is second in the world from 2023
    assert v(got, "n_world_top3_firms", "320500", 2022).value == 0
    assert v(got, "n_world_top3_firms", "320500", 2023).value == 1
    assert v(got, "n_world_top3_firms", "320000", 2023).value == 1
    # promotion organisations: Wuxi's association has 4 members in 2022 for Wuxi's 2 iot firms (A, B)
    assert v(got, "promotion_org_coverage").value == pytest.approx(4 / 2)
    assert v(got, "promotion_org_coverage", "320000").value == pytest.approx(4 / 3)
    assert ("iot", "320500", 2022, "promotion_org_coverage") not in got.index  # no organisation in Suzhou
    assert v(got, "n_single_champions", "320500").value == 1 and v(got, "n_listed").value == 1
    assert v(got, "foreign_output_share").value == pytest.approx(0.9)


def test_chain(hand_store):
    got = hand_store[1]
    # Wuxi iot purchases 2022: A 40 (E, Wuxi) + 30 (Japan) + 20 (Shanghai); B 10 (E): total 100.
    assert v(got, "local_supporting_rate_city").value == pytest.approx(0.5)
    assert v(got, "local_supporting_rate_province").value == pytest.approx(0.5)
    assert v(got, "import_share_purchases").value == pytest.approx(0.3)
    # Province: plus C's 10 from E (same province, other city): total 110.
    assert v(got, "local_supporting_rate_city", "320000").value == pytest.approx(50 / 110)
    assert v(got, "local_supporting_rate_province", "320000").value == pytest.approx(60 / 110)
    assert v(got, "chain_segment_coverage").value == pytest.approx(2 / 9)
    assert v(got, "chain_segment_coverage", "320000").value == pytest.approx(3 / 9)
    # E sold from Wuxi in 2022 and from Shanghai in 2023.
    assert v(got, "suppliers_moved_out", year=2023).value == 1
    assert v(got, "suppliers_moved_out", "320500", 2023).value == 1


def test_seller_location_classes():
    """Each purchase gets one location class relative to its buyer firm (320205, Wuxi)."""
    import ibis

    from jiqun.metrics.chain import IMPORTED, OTHER_LOCATION, SAME_CITY, SAME_PROVINCE, located_purchases

    tx = ibis.memtable(pd.DataFrame({
        "buyer_uscc": ["B"] * 7, "year": [2022] * 7, "amount_yuan": [1.0] * 7,
        "seller_uscc": [f"S{i}" for i in range(7)],
        "seller_region_code": ["320213", "320200", "320506", "310101", None, None, "320205"],
        "seller_country": ["CHN", "CHN", None, "CHN", "CHN", "JPN", "DEU"]}))
    firms = ibis.memtable(pd.DataFrame({"uscc": ["B"], "firm_region": ["320205"]}))
    got = ibis.duckdb.connect().execute(located_purchases(tx, firms)).sort_values("seller_uscc")
    assert list(got.seller_location) == [SAME_CITY, SAME_CITY, SAME_PROVINCE, OTHER_LOCATION, OTHER_LOCATION,
                                         IMPORTED, IMPORTED]
    assert set(got.buyer_city) == {3202}


def test_catalogue_and_computed_indicators_match(hand_store):
    computed = set(hand_store[1].index.get_level_values("indicator"))
    assert computed == set(load_catalogue())


def test_values_are_in_range(hand_store):
    got = hand_store[1].reset_index()
    shares = got[got.top_firm_share.notna()]
    assert ((shares.top_firm_share >= 0) & (shares.top_firm_share <= 1 + 1e-12)).all()
    assert (got.n_firms.dropna() >= 0).all()


def test_write_indicator_results_replaces_rows(hand_store):
    con, got = hand_store
    n = write_indicator_results(con, Options(leaders_k=1, cagr_window=1))
    assert n == len(got)
    n2 = write_indicator_results(con, Options(leaders_k=1, cagr_window=1))
    stored = con.table("indicator_results").execute()
    assert len(stored) == n2 == n
    assert stored.vintage.str.contains("loads 1-").all()
    assert stored.computed_at.notna().all()


def test_store_strength(hand_store):
    con, _ = hand_store
    flags = store_strength(con).execute().set_index(["region", "cluster", "year"])
    row = flags.loc[("320200", "iot", 2022)]
    # regional sums over the clusters of the cities; reference = the nation's iot employment.
    assert row.employment == 150 and row.establishments == 2
    assert not math.isnan(row.lq)


def test_cli_xlsx_has_chinese_headers(hand_store, tmp_path):
    from jiqun.metrics.export import chinese, published

    con, got = hand_store
    frame = published(got.reset_index())
    zh = chinese(frame, {"iot": "物联网"}, {"320200": "无锡市"})
    assert list(zh.columns)[:4] == ["集群", "集群编号", "地区", "地区代码"]
    assert "工业总产值" in set(zh["指标"])


def test_indicators_doc_is_generated_from_catalogue():
    from pathlib import Path

    from jiqun.metrics.catalogue import indicators_markdown

    doc = (Path(__file__).resolve().parents[1] / "docs" / "indicators.md").read_text(encoding="utf-8")
    assert doc == indicators_markdown()
    for ind in load_catalogue().values():
        assert f"`{ind.id}`" in doc and ind.name_zh in doc


def _sorted(table):
    frame = table.to_pandas() if hasattr(table, "to_pandas") else table
    frame = frame.astype({"cluster_id": str, "region_code": str})
    return frame.sort_values(["cluster_id", "region_code", "year", "indicator"]).reset_index(drop=True)


@pytest.mark.parametrize("buyers_by_year", [False, True])
def test_cached_engine_equals_the_expressions(hand_store, monkeypatch, buyers_by_year):
    """The production path (inputs materialised with integer firm keys, hashed seller keys, leader
    ranks from a top-n aggregate) gives the numbers of the plain ibis expressions; also with buyers
    per firm-year (the path for account years too far apart for one bitmask)."""
    from jiqun.metrics.executors import duckdb as duckdb_executor
    from jiqun.metrics.engine import compute_indicator_table

    if buyers_by_year:
        monkeypatch.setattr(duckdb_executor, "MAX_MASK_YEARS", 1)
    con, got = hand_store
    cached = _sorted(compute_indicator_table(con, Options(leaders_k=1, cagr_window=1)))
    plain = _sorted(got.reset_index())
    assert len(cached) == len(plain)
    pd.testing.assert_frame_equal(cached[["cluster_id", "region_code", "year", "indicator"]],
                                  plain[["cluster_id", "region_code", "year", "indicator"]], check_dtype=False)
    assert cached.value.to_numpy() == pytest.approx(plain.value.to_numpy(), rel=1e-12, nan_ok=True)
    assert (cached.n_firms.fillna(-1).to_numpy() == plain.n_firms.fillna(-1).to_numpy()).all()


def _two_buyer_store(tmp_path, template, first_serial):
    """A store with Wuxi IoT firms A and B and supplier S1 (Wuxi), and a fourth USCC S2 that is not a
    firm: returns ``con, (a, b, s1, s2)``."""
    import shutil

    import jiqun
    from conftest import make_uscc_fn

    shutil.copy(template, tmp_path / "s.duckdb")
    con = jiqun.connect(tmp_path / "s.duckdb")
    a, b, s1, s2 = (make_uscc_fn(i) for i in range(first_serial, first_serial + 4))
    ingest_table(con, pd.DataFrame({"uscc": [a, b, s1], "name": ["甲", "乙", "丙"],
                                    "region_code": ["320281", "320205", "320211"],
                                    "industry_code": ["3983", "3983", "3983"]}), "firms")
    return con, (a, b, s1, s2)


def test_colliding_seller_keys_fall_back_to_exact_keys(tmp_path, _template_store, monkeypatch, caplog):
    """If two sellers' hash keys collide, the engine notices and keys seller-years by USCC."""
    from jiqun.metrics.engine import compute_indicator_table
    from jiqun.metrics.executors import duckdb as duckdb_executor

    con, (a, b, s1, s2) = _two_buyer_store(tmp_path, _template_store, 11)
    ingest_table(con, pd.DataFrame({"uscc": [a, b, s1] * 2, "year": [2022] * 3 + [2023] * 3,
                                    "revenue_yuan": [100 * M, 10 * M, 5 * M] * 2,
                                    "output_value_yuan": [90 * M, 10 * M, 5 * M] * 2,
                                    "employment": [100, 50, 10] * 2}), "firm_years")
    ingest_table(con, pd.DataFrame([
        ("t1", 2022, s1, "320211", a, 40 * M), ("t2", 2022, s2, "310000", a, 10 * M),
        ("t3", 2022, s1, "320211", b, 5 * M), ("t4", 2023, s1, "310000", a, 30 * M),
        ("t5", 2023, s2, "310000", b, 20 * M),
    ], columns=["transaction_id", "year", "seller_uscc", "seller_region_code", "buyer_uscc", "amount_yuan"]).assign(
        node_id="iot.u1", buyer_region_code="320281"), "transactions")
    opts = Options(leaders_k=1, cagr_window=1)
    plain = _sorted(compute_indicators(con, opts).execute())
    # Rows written around the loader have no firm keys: the engine hashes the USCCs instead.
    con.con.execute("UPDATE transactions SET seller_key = NULL, buyer_key = NULL").fetchall()
    # Every USCC has 18 characters: this "hash" gives all sellers the same key.
    monkeypatch.setattr(duckdb_executor, "seller_key", lambda uscc: uscc.length().cast("uint64"))
    with caplog.at_level("WARNING", logger="jiqun.metrics.executors.duckdb"):
        cached = _sorted(compute_indicator_table(con, opts))
    assert "seller keys collide" in caplog.text
    assert len(cached) == len(plain)
    assert cached.value.to_numpy() == pytest.approx(plain.value.to_numpy(), rel=1e-12, nan_ok=True)
    assert set(plain.indicator) >= {"leader_driving_power", "suppliers_moved_out", "local_supporting_rate_city"}
    con.disconnect()


def test_in_account_years_bitmask():
    """The account-year test of the firm-level buyers: years in the mask, and false (not an error)
    for years before its first year or beyond its 64 bits."""
    import ibis

    from jiqun.metrics.cached import in_account_years

    t = ibis.memtable({"year": [2016, 2017, 2018, 2015, 1900, 2080, 2079, 2100],
                       "mask": [0b101, 0b101, 0b101, 0b101, 0b101, 1 << 63, 1 << 63, 2**64 - 1]},
                      schema={"year": "int32", "mask": "uint64"})
    got = ibis.duckdb.connect().execute(t.select(ok=in_account_years(t.year, t.mask, 2016))).ok.tolist()
    assert got == [True, False, True, False, False, False, True, False]


def test_purchases_outside_account_years_do_not_count(tmp_path, _template_store):
    """Buyers meet the transactions at firm level (all years) and their account years are checked
    afterwards: purchases in a year the buyer has no accounts (before its first year, or between two)
    change no indicator, and the cached engine still equals the plain expressions."""
    from jiqun.metrics.engine import compute_indicator_table

    con, (a, b, s1, s2) = _two_buyer_store(tmp_path, _template_store, 21)
    # A has accounts in 2020 and 2022, B in 2021 and 2022.
    ingest_table(con, pd.DataFrame({"uscc": [a, a, b, b, s1], "year": [2020, 2022, 2021, 2022, 2022],
                                    "revenue_yuan": [100 * M, 120 * M, 10 * M, 20 * M, 5 * M],
                                    "output_value_yuan": [90 * M, 100 * M, 10 * M, 20 * M, 5 * M],
                                    "employment": [100, 110, 50, 50, 10]}), "firm_years")

    def load(rows):
        ingest_table(con, pd.DataFrame(rows, columns=["transaction_id", "year", "seller_uscc", "seller_region_code",
                                                      "buyer_uscc", "amount_yuan"]).assign(
            node_id="iot.u1", buyer_region_code="320281"), "transactions")

    load([("t1", 2020, s1, "320211", a, 40 * M), ("t2", 2022, s1, "320211", a, 10 * M),
          ("t3", 2022, s2, "310000", b, 5 * M), ("t4", 2021, s1, "320211", b, 7 * M)])
    opts = Options(leaders_k=1, cagr_window=1)
    before = _sorted(compute_indicator_table(con, opts))
    # A buys in 2019 (before the first account year) and 2021 (a gap); B in 2020: none has accounts then.
    load([("t5", 2019, s1, "320211", a, 30 * M), ("t6", 2021, s1, "320211", a, 20 * M),
          ("t7", 2020, s1, "320211", b, 9 * M)])
    after = _sorted(compute_indicator_table(con, opts))
    plain = _sorted(compute_indicators(con, opts).execute())
    # Purchase shares and the cells of driving power are as before (its sellers' total sales include
    # the new sales, as they should); nothing appears for 2019.
    shares = {"local_supporting_rate_city", "local_supporting_rate_province", "import_share_purchases"}
    assert shares <= set(after.indicator)
    pd.testing.assert_frame_equal(after[after.indicator.isin(shares)], before[before.indicator.isin(shares)])
    keys = ["cluster_id", "region_code", "year"]
    dp_after, dp_before = (t[t.indicator == "leader_driving_power"] for t in (after, before))
    assert len(dp_after) > 0
    pd.testing.assert_frame_equal(dp_after[keys + ["n_firms"]], dp_before[keys + ["n_firms"]])
    assert 2019 not in set(after.year)
    assert len(after) == len(plain)
    assert after.value.to_numpy() == pytest.approx(plain.value.to_numpy(), rel=1e-12, nan_ok=True)
    assert (after.n_firms.fillna(-1).to_numpy() == plain.n_firms.fillna(-1).to_numpy()).all()
    con.disconnect()


def test_driving_power_counts_sales_to_leaders_from_local_firms_only(tmp_path, _template_store):
    """Sales to leaders are those of the local suppliers S (firms with a USCC) at each level: a leader's
    purchase from an unidentified seller in its city adds nothing, and one from a firm elsewhere in the
    province counts at province level only; in the cached engine and in the expressions."""
    from jiqun.metrics.engine import compute_indicator_table

    con, (a, b, s1, s2) = _two_buyer_store(tmp_path, _template_store, 31)
    ingest_table(con, pd.DataFrame({"uscc": [s2], "name": ["丁"], "region_code": ["320102"],
                                    "industry_code": ["3983"]}), "firms")
    ingest_table(con, pd.DataFrame({"uscc": [a, b, s1], "year": [2022] * 3,
                                    "revenue_yuan": [100 * M, 10 * M, 5 * M],
                                    "output_value_yuan": [90 * M, 10 * M, 5 * M],
                                    "employment": [100, 50, 10]}), "firm_years")
    # A (the leader, k = 1) buys 40 from S1 and 25 from a seller without a USCC, both in Wuxi, and 20
    # from S2 in Nanjing; B buys 5 from S1. In Wuxi S = {S1}, whose sales are 45, 40 of them to the
    # leader; in Jiangsu S = {S1, S2}: 60 of 65.
    ingest_table(con, pd.DataFrame([
        ("t1", 2022, s1, "320211", a, 40 * M), ("t2", 2022, s1, "320211", b, 5 * M),
        ("t3", 2022, None, "320214", a, 25 * M), ("t4", 2022, s2, "320102", a, 20 * M),
    ], columns=["transaction_id", "year", "seller_uscc", "seller_region_code", "buyer_uscc", "amount_yuan"]).assign(
        node_id="iot.u1", buyer_region_code="320281"), "transactions")
    opts = Options(leaders_k=1, cagr_window=1)
    for table in (compute_indicator_table(con, opts), compute_indicators(con, opts).execute()):
        dp = _sorted(table)
        dp = dp[(dp.indicator == "leader_driving_power") & (dp.year == 2022)].set_index("region_code")
        assert set(dp.index) == {"320200", "320000"}
        assert dp.loc[["320200", "320000"], "value"].to_numpy() == pytest.approx([40 / 45, 60 / 65])
        assert dp.loc[["320200", "320000"], "n_firms"].tolist() == [1, 2]
    con.disconnect()


def test_group_sql_is_compiled_one_group_ahead_in_a_worker():
    """``compile_ahead`` (the worker compiling the next group's SQL while DuckDB runs the current one)
    yields the items in order, raises the worker's errors in the caller, and stops the worker when
    the caller stops early."""
    import threading

    from jiqun.metrics.executors.compile_ahead import compile_ahead

    threads = []

    def items(n, fail_at=None):
        for i in range(n):
            threads.append(threading.current_thread().name)
            if i == fail_at:
                raise ValueError(f"item {i} does not compile")
            yield i

    assert list(compile_ahead(items(5))) == [0, 1, 2, 3, 4]
    assert set(threads) == {"jiqun-compile"}
    with pytest.raises(ValueError, match="item 2 does not compile"):
        list(compile_ahead(items(5, fail_at=2)))
    threads.clear()
    for i in compile_ahead(items(100)):
        if i == 1:
            break
    # One item ahead: the worker built at most the item after the last one taken, then stopped.
    assert len(threads) <= 4
    assert not [t for t in threading.enumerate() if t.name == "jiqun-compile"]


def test_region_totals_summed_per_county_first_equal_the_expressions(tmp_path, _template_store):
    """Region totals and Krugman's region × division employment are summed per county before the
    levels (both engines): with two firms in one county × division × year, the Krugman row (value,
    n_firms = firms in the region, largest firm's share) matches hand values, and the cached engine
    equals the plain expressions."""
    from conftest import make_uscc_fn
    from jiqun.metrics.engine import compute_indicator_table

    con, (a, b, s1, _s2) = _two_buyer_store(tmp_path, _template_store, 41)
    # c: a second IoT firm in a's county (320281); d: a firm of another division there.
    c, d = make_uscc_fn(45), make_uscc_fn(46)
    ingest_table(con, pd.DataFrame({"uscc": [c, d], "name": ["丁", "戊"], "region_code": ["320281", "320281"],
                                    "industry_code": ["3983", "2710"]}), "firms")
    ingest_table(con, pd.DataFrame({"uscc": [a, c, b, s1, d, a, c], "year": [2022] * 5 + [2021] * 2,
                                    "revenue_yuan": [100 * M, 50 * M, 10 * M, 5 * M, 20 * M, 90 * M, 40 * M],
                                    "output_value_yuan": [90 * M, 50 * M, 10 * M, 5 * M, 20 * M, 80 * M, 40 * M],
                                    "employment": [100, 300, 50, 10, 40, 90, 250]}), "firm_years")
    opts = Options(leaders_k=1, cagr_window=1)
    cached = _sorted(compute_indicator_table(con, opts))
    plain = _sorted(compute_indicators(con, opts).execute())
    assert len(cached) == len(plain)
    assert cached.value.to_numpy() == pytest.approx(plain.value.to_numpy(), rel=1e-12, nan_ok=True)
    assert (cached.n_firms.fillna(-1).to_numpy() == plain.n_firms.fillna(-1).to_numpy()).all()
    assert cached.top_firm_share.to_numpy() == pytest.approx(plain.top_firm_share.to_numpy(), rel=1e-12,
                                                              nan_ok=True)
    wuxi = cached[(cached.indicator == "krugman_index") & (cached.region_code == "320200") & (cached.year == 2022)]
    assert wuxi.n_firms.tolist() == [5]
    assert wuxi.top_firm_share.tolist() == pytest.approx([300 / 500])
    # K = Σ_i |s_ri − s_i| with Wuxi's division shares by hand (division 39: 100 + 300 + 50 + 10 of 500,
    # division 27: 40) against the reference area's shares.
    from jiqun.metrics.base import reference_divisions

    ref = reference_divisions(con, opts).execute()
    ref = ref[ref.year == 2022].set_index("division").e_i
    s_i = (ref / ref.sum()).to_dict()
    s_ri = {"39": 460 / 500, "27": 40 / 500}
    expected = sum(abs(s_ri.get(d, 0.0) - s_i.get(d, 0.0)) for d in set(s_i) | set(s_ri))
    assert wuxi.value.tolist() == pytest.approx([expected], rel=1e-12)
    con.disconnect()
