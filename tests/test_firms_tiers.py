"""MIIT tier candidates (jiqun.firms) on hand-made firms: three-valued logic, the interval measures, a firm
that misses exactly one 小巨人 requirement, a firm that moved up a tier, a recognised firm, criteria that
need data the store lacks reported as not assessable (never met), and the `jiqun firms` JSON contract."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from jiqun.cli import app
from jiqun.firms import LADDER, TIERS, load_criteria, load_sources, tier_lists, tier_measures
from jiqun.firms.tiers import compare_interval, kleene_all, kleene_any

NAN, INF = np.nan, np.inf
M = 1_000_000


def test_interval_comparison_refutes_or_confirms_only_what_the_bounds_allow():
    low = np.array([5.0, 1.0, -INF, 3.0, NAN, 3.0])
    high = np.array([5.0, 1.0, 2.0, INF, NAN, 3.0])
    assert compare_interval(low, high, ">=", 3).tolist()[:4] == [1.0, 0.0, 0.0, 1.0]
    assert math.isnan(compare_interval(low, high, ">=", 3)[4])
    assert compare_interval(np.array([-INF]), np.array([10.0]), ">=", 3).tolist() == [pytest.approx(NAN, nan_ok=True)]
    assert compare_interval(low, high, "<", 3).tolist()[:2] == [0.0, 1.0]
    assert compare_interval(low, high, ">", 3)[5] == 0.0 and compare_interval(low, high, "<=", 3)[5] == 1.0


def test_kleene_logic():
    states = np.array([[1, 1], [1, NAN], [0, NAN], [NAN, NAN], [0, 1]], float)
    assert np.array_equal(kleene_all(states), [1, NAN, 0, NAN, 0], equal_nan=True)
    assert np.array_equal(kleene_any(states), [1, 1, NAN, NAN, 1], equal_nan=True)


def test_every_criterion_cites_a_source_and_says_whether_it_was_verified():
    criteria, sources = load_criteria(), load_sources()
    assert set(criteria.tier) == set(TIERS) and set(LADDER) <= set(criteria.tier)
    assert set(criteria.source) <= set(sources.source)
    assert set(criteria.verified) <= {"yes", "no"}
    unverified = set(sources[sources.how.str.startswith("not verified")].source)
    assert set(criteria[criteria.verified == "no"].source) <= unverified | {"SME2011", "SIMON"}
    assert (criteria[criteria.source.isin(unverified)].verified == "no").all()  # never "yes" on an unchecked source
    # the thresholds of the 2022 小巨人 standard as MIIT's text states them
    rules = criteria[criteria.tier == "little_giant"].set_index("criterion").threshold
    assert rules["revenue_growth_2y_5"] == 0.05 and rules["rd_share_2y_3"] == 0.03
    assert rules["rd_share_2y_6"] == 0.06 and rules["class1_ip_2"] == 2 and rules["debt_ratio_70"] == 0.7


ONE_SHORT, MOVED_UP, YOUNG, LARGE, HOLDER = "ONE_SHORT", "MOVED_UP", "YOUNG", "LARGE", "HOLDER"
CHAMPION = "CHAMPION"


def panel(year: int, overrides: dict[str, dict] | None = None) -> pd.DataFrame:
    base = dict(name="企业", region_code="320211", industry_code="3983", founded_year=2015.0, srdi_level="none",
                single_champion=False, employment=200.0, revenue=150 * M, revenue_prev=145 * M,
                revenue_prev2=120 * M, rd=6 * M, rd_prev=5.8 * M, profit=10 * M, industry_margin=0.05,
                invention_patents=3.0, utility_patents=5.0, world_rank=np.nan, continent_rank=np.nan,
                national_share=np.nan)
    firms = {
        # grows 2.1 % a year over two years (150 vs 144): misses only the 小巨人 growth requirement
        ONE_SHORT: dict(revenue_prev2=144 * M),
        # R&D 2 % of revenue the year before, 4 % now: 创新型 → 专精特新
        MOVED_UP: dict(rd=6 * M, rd_prev=2.9 * M, revenue_prev=145 * M, revenue_prev2=144 * M),
        YOUNG: dict(founded_year=2022.0),
        LARGE: dict(employment=2000.0, revenue=900 * M, revenue_prev=800 * M, revenue_prev2=700 * M, rd=40 * M,
                    rd_prev=30 * M),
        HOLDER: dict(srdi_level="little_giant", revenue_prev2=100 * M),
        # second in the world in its niche (firm_markets), 1,500 staff, 8 亿元 revenue, 12 % margin vs 5 %
        CHAMPION: dict(employment=1500.0, revenue=800 * M, revenue_prev=700 * M, revenue_prev2=600 * M, rd=40 * M,
                       rd_prev=35 * M, profit=96 * M, founded_year=2005.0, invention_patents=12.0, world_rank=2.0),
    }
    rows = []
    for uscc, changes in firms.items():
        row = {**base, **changes, **(overrides or {}).get(uscc, {}), "uscc": uscc, "year": year}
        rows.append(row)
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def lists():
    members = pd.DataFrame({"uscc": [ONE_SHORT, MOVED_UP, YOUNG, LARGE, HOLDER, CHAMPION], "cluster_id": "iot"})
    before = panel(2022, {MOVED_UP: dict(rd=2.9 * M, revenue=145 * M, revenue_prev=144 * M, revenue_prev2=140 * M)})
    return tier_lists(panel(2023), members, panel_before=before)


def test_points_are_bounded_by_what_is_stored():
    measures = tier_measures(panel(2023)).set_index("uscc")
    # ONE_SHORT: inventions → ≥10 of 20 (IP); R&D 4 % → 15; growth 150/145 = 3.4 % → 5; debt, field, share unknown
    assert measures.at[ONE_SHORT, "innovative_points_low"] == 10 + 15 + 5 + 0 + 5 + 0
    assert measures.at[ONE_SHORT, "innovative_points_high"] == 20 + 15 + 5 + 10 + 10 + 20
    assert measures.at[ONE_SHORT, "revenue_growth_2y"] == pytest.approx((150 / 144) ** 0.5 - 1)
    assert measures.at[ONE_SHORT, "years_since_founding_low"] == -INF  # bounds the niche years from above
    assert measures.at[ONE_SHORT, "invention_patents_high"] == INF     # bounds the Ⅰ类 IP from below
    assert np.isnan(measures.at[ONE_SHORT, "debt_ratio_low"])          # not stored


def test_a_firm_missing_exactly_one_little_giant_requirement_is_listed_with_it(lists):
    close = lists.close.set_index("uscc")
    assert close.at[ONE_SHORT, "tier"] == "little_giant"
    assert close.at[ONE_SHORT, "missed"] == "growth" and close.at[ONE_SHORT, "n_missed"] == 1
    detail = lists.criteria[(lists.criteria.uscc == ONE_SHORT) & (lists.criteria.tier == "little_giant")]
    detail = detail.set_index("criterion")
    assert detail.at["revenue_growth_2y_5", "met"] == 0.0
    assert detail.at["revenue_growth_2y_5", "value"] == pytest.approx((150 / 144) ** 0.5 - 1)
    assert detail.at["rd_share_2y_3", "met"] == 1.0 and detail.at["revenue_100m", "met"] == 1.0
    assert detail.at["class1_ip_2", "met"] == 1.0
    for not_stored in ("debt_ratio_70", "national_share_10", "main_business_share_70"):
        assert np.isnan(detail.at[not_stored, "met"])  # not assessable, never met
    # its highest tier not missed is 专精特新中小企业, open (the score needs data the store lacks)
    candidate = lists.candidates.set_index("uscc").loc[ONE_SHORT]
    assert candidate.tier == "srdi_sme" and candidate.state == "open" and candidate.n_missed == 0


def test_ladder_young_large_and_recognised_firms(lists):
    ladder = lists.ladder.set_index("uscc")
    assert ladder.loc[MOVED_UP, ["tier_before", "tier"]].tolist() == ["innovative_sme", "srdi_sme"]
    assert ONE_SHORT not in ladder.index
    candidates = lists.candidates.set_index("uscc")
    assert candidates.at[YOUNG, "tier"] == "innovative_sme"  # founded a year ago: not 2 years in a niche
    assert lists.close.set_index("uscc").at[YOUNG, "missed"] == "niche_years"
    assert LARGE not in candidates.index and LARGE not in set(lists.close.uscc)  # not an SME, not "one short"
    assert HOLDER not in candidates.index  # already a little giant; single champion needs market data
    assert not lists.candidates[lists.candidates.uscc != CHAMPION].tier.isin(["single_champion",
                                                                              "hidden_champion"]).any()


def test_market_position_makes_the_champion_tiers_assessable(lists):
    found = lists.candidates[lists.candidates.uscc == CHAMPION].set_index("tier")
    # hidden champion: second in the world and below Simon's revenue ceiling — both on data, so met
    assert found.at["hidden_champion", "state"] == "met"
    # single champion: world top 3, core IP, margin above the industry; years in the field not stored
    assert found.at["single_champion", "state"] == "open" and found.at["single_champion", "n_missed"] == 0
    detail = lists.criteria[(lists.criteria.uscc == CHAMPION) & (lists.criteria.tier == "single_champion")]
    detail = detail.set_index("criterion")
    assert detail.at["world_rank_3", "met"] == 1.0 and detail.at["profit_above_industry", "met"] == 1.0
    assert detail.at["profit_above_industry", "value"] == pytest.approx(0.12 - 0.05)
    assert np.isnan(detail.at["field_years_10", "met"])  # founded 18 years ago: an upper bound only


def test_firms_json_contract(demo_store):
    result = CliRunner().invoke(app, ["firms", "--db", str(demo_store), "--format", "json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert records and isinstance(records, list)
    for record in records[:50]:
        assert {"uscc", "tier", "criteria"} <= set(record) and record["tier"] in TIERS
        assert record["criteria"]
        for criterion in record["criteria"]:
            assert {"criterion", "met", "value", "threshold"} <= set(criterion)
            assert criterion["met"] in (True, False, None)
            assert criterion["value"] is None or isinstance(criterion["value"], float)
    # not assessable criteria are null, never true
    flat = [c for record in records for c in record["criteria"]]
    assert all(c["met"] is None for c in flat if c["basis"] == "not stored")
    close = json.loads(CliRunner().invoke(app, ["firms", "--db", str(demo_store), "--view", "close",
                                                "--format", "json"]).stdout)
    assert close and all(sum(c["met"] is False for c in r["criteria"]) >= 1 for r in close)
