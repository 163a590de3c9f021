"""Inventory classes, breakthrough windows and priorities against values worked out by hand, the trend
against scipy's linregress."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from jiqun.chokepoints.classify import ClassRulesError, classify_items, load_class_rules, parse_class_rules
from jiqun.chokepoints.ranking import calc_trend, opportunity, priority_scores, window_estimate

RULES = load_class_rules()


def items_frame(**columns) -> pd.DataFrame:
    base = {"import_share": 0.9, "dependent": False, "n_region_patents_3y": 2, "import_hhi": 0.6,
            "top_origin_share": 0.7, "rta": 0.2, "region_patent_growth": 0.0}
    rows = max(len(v) for v in columns.values())
    return pd.DataFrame({k: columns.get(k, [v] * rows) for k, v in base.items()})


def test_classes_follow_the_rules_in_order():
    items = items_frame(import_share=[0.9, 0.5, 0.6, 0.1, 0.2], dependent=[False, False, None, False, True],
                        n_region_patents_3y=[2, 30, 8, 0, 40], rta=[0.2, 1.4, 0.5, None, 0.3],
                        region_patent_growth=[0.0, 0.05, 0.1, None, 0.3])
    out = classify_items(items)
    # row 3 (import share 0.1, not dependent) stays out; row 4 enters as GeoDep-dependent.
    assert out["class"].tolist() == ["fully_dependent", "rd_base", "lagging", "rd_base"]
    assert out.class_zh.tolist() == ["完全受制于国外", "已有研发基础", "与国际先进有差距", "已有研发基础"]
    assert "import_share ≥ 0.7 (0.9)" in out.rule_text[0] and "n_region_patents_3y ≤ 5 (2)" in out.rule_text[0]
    assert "非「已有研发基础」: n_region_patents_3y ≥ 20 (8) 不成立" in out.rule_text[2]
    assert out.evidence[1]["measures"]["rta"] == 1.4 and out.evidence[1]["class"] == "rd_base"
    assert "dependent 为真 is true (缺失 missing)" in out.screen_text[2]


def test_a_missing_measure_never_places_an_item():
    out = classify_items(items_frame(import_share=[0.95], import_hhi=[None], top_origin_share=[None]))
    assert out["class"].tolist() == ["lagging"]  # concentration unknown: not "fully dependent"
    assert out.evidence[0]["measures"]["import_hhi"] is None


def test_rule_file_refusals():
    with pytest.raises(ClassRulesError, match="classes"):
        parse_class_rules({"screen_in": {}})
    with pytest.raises(ClassRulesError, match="comparison"):
        parse_class_rules({"classes": [{"id": "x", "all": [{"metric": "rta", "comparison": "near", "threshold": 1}]}]})
    with pytest.raises(ClassRulesError, match="lack measure"):
        classify_items(pd.DataFrame({"import_share": [0.5]}))
    with pytest.raises(ClassRulesError, match="default"):
        load_class_rules("rules.txt")


def test_trend_equals_scipy_linregress():
    years = np.array([2018, 2019, 2020, 2021, 2022, 2023])
    shares = np.array([0.91, 0.88, 0.87, 0.83, 0.82, 0.78])
    slope, se, points = calc_trend(years, shares)
    reference = stats.linregress(years, shares)
    assert slope == pytest.approx(reference.slope, abs=1e-12) and se == pytest.approx(reference.stderr, abs=1e-12)
    assert points == 6


def test_window_by_hand():
    years = [2019, 2020, 2021, 2022, 2023]
    steady = window_estimate(years, [0.90, 0.88, 0.86, 0.84, 0.82], target=0.3)
    assert steady["window_years"] == pytest.approx(0.52 / 0.02)  # 26 years, no noise: a zero-width interval
    assert steady["window_low"] == pytest.approx(26) and steady["window_high"] == pytest.approx(26)
    assert "线性趋势" in steady["window_reason"]
    flat = window_estimate(years, [0.8, 0.81, 0.8, 0.81, 0.8], target=0.3)
    assert np.isnan(flat["window_years"]) and "not falling" in flat["window_reason"]
    assert window_estimate(years, [0.4, 0.35, 0.3, 0.28, 0.25], target=0.3)["window_years"] == 0
    assert "too few" in window_estimate([2022, 2023], [0.9, 0.8], target=0.3)["window_reason"]
    slow = window_estimate(years, [0.90, 0.899, 0.898, 0.897, 0.896], target=0.3)
    assert np.isnan(slow["window_years"]) and "beyond 30" in slow["window_reason"]
    noisy = window_estimate(years, [0.9, 0.85, 0.86, 0.78, 0.77], target=0.3)
    assert noisy["window_low"] < noisy["window_years"] < noisy["window_high"]


def test_opportunity_reasons():
    settings = RULES.window
    assert opportunity(-0.02, 0.05, settings)[0] and "分散" in opportunity(-0.02, 0.05, settings)[1]
    assert opportunity(None, 0.25, settings) == (True, "省内专利快速增长（年均 25%）domestic patenting growing fast")
    assert opportunity(0.0, 0.1, settings) == (False, "")


def test_priority_by_hand():
    items = pd.DataFrame({
        "cluster_id": "c", "hs6": ["000001", "000002", "000003"],
        "class": ["fully_dependent", "lagging", "rd_base"],
        "purchase_share": [0.5, 0.3, 0.2], "downstream_output_share": [0.2, 0.4, 0.1],
        "import_share": [0.9, 0.6, 0.8], "import_hhi": [0.5, 0.2, 0.5],
        "n_region_patents_3y": [2, 10, 40], "rta": [0.2, 0.8, np.nan], "region_patent_growth": np.nan})
    out = priority_scores(items, RULES.priority)
    # percentile ranks: criticality A (1 + 2/3)/2, B (2/3 + 1)/2, C 1/3; severity A (1 + 5/6 + 1)/3,
    # B (1/3 + 1/3 + 2/3)/3, C (2/3 + 5/6 + 1/3)/3; feasibility A (1/3 + 1/2)/2, B (2/3 + 1)/2, C 1.
    assert out.criticality.tolist() == pytest.approx([5 / 6, 5 / 6, 1 / 3])
    assert out.severity.tolist() == pytest.approx([17 / 18, 4 / 9, 11 / 18])
    assert out.feasibility.tolist() == pytest.approx([5 / 12, 5 / 6, 1.0])
    expected = [0.4 * c + 0.4 * s + 0.2 * f for c, s, f in zip([5 / 6, 5 / 6, 1 / 3], [17 / 18, 4 / 9, 11 / 18],
                                                                 [5 / 12, 5 / 6, 1.0])]
    assert out.priority_score.tolist() == pytest.approx(expected)
    assert out.priority.tolist() == [1, 2, 3]
    # feasibility-heavy weights (0.3 / 0.3 / 0.4) put B first: A and B move between 1 and 2, C stays last.
    assert out.rank_best.tolist() == [1, 1, 3] and out.rank_worst.tolist() == [2, 2, 3]


def test_province_ranks_break_ties_by_purchase_share_then_keys_whatever_the_row_order():
    from jiqun.chokepoints.ranking import province_ranks

    items = pd.DataFrame({"cluster_id": ["b", "a", "a", "c"], "node_id": ["b.u1", "a.u2", "a.u1", "c.u1"],
                          "hs6": ["000001", None, "000002", "000003"], "priority_score": [0.5, 0.5, 0.5, 0.9],
                          "purchase_share": [0.1, 0.2, 0.1, 0.0]})
    # c first (highest score); then a.u2 (largest purchase share); then a.u1 before b.u1 (cluster id)
    expected = {"c.u1": 1, "a.u2": 2, "a.u1": 3, "b.u1": 4}
    for order in ([0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1]):
        shuffled = items.iloc[order]
        assert dict(zip(shuffled.node_id, province_ranks(shuffled))) == expected
