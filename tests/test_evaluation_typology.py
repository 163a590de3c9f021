"""Typology rules that read sensibly: thresholds among the compared units, the rule met in words."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from jiqun.evaluation.explain import rule_explanations
from jiqun.evaluation.scheme import DEFAULT_SCHEME, SchemeError, load_scheme, parse_scheme
from jiqun.evaluation.typology import TYPES, TypologyRules, classify, rule_tests, thresholds

NAMES = [("技术", "Tech"), ("龙头", "Leaders"), ("品牌", "Brand")]

# Six hand-made profiles x 3 dimensions, total = mean of the dimensions.
PROFILES = np.array([
    [0.90, 0.80, 0.85],   # 0 balanced and high            -> leading
    [0.80, 0.90, 0.70],   # 1 balanced and high            -> leading
    [1.00, 0.05, 0.70],   # 2 a top dimension, a shortfall -> breakthrough
    [0.50, 0.50, 0.50],   # 3 middle, nothing stands out   -> catch-up (no top dimension)
    [0.95, 0.00, 0.05],   # 4 a top dimension, but the total is in the bottom third -> catch-up
    [0.10, 0.20, 0.10],   # 5 low everywhere               -> catch-up
])


def _types(d, rules=TypologyRules()):
    return [TYPES[t] for t in classify(d, d.mean(axis=1), rules)]


def test_hand_made_profiles_get_the_expected_types():
    assert _types(PROFILES) == ["leading", "leading", "breakthrough", "catch_up", "catch_up", "catch_up"]


def test_bottom_third_unit_with_a_top_dimension_is_catch_up_and_says_so():
    total = PROFILES.mean(axis=1)
    th = thresholds(PROFILES, total)
    assert total[4] <= th.total_bottom[0]                       # unit 4 is in the bottom third of totals ...
    assert PROFILES[4, 0] >= th.top[0, 0]                       # ... with a top-third dimension ...
    assert rule_tests(PROFILES, total).shortfall[4].any()      # ... and a shortfall: it used to be breakthrough
    zh, en = rule_explanations(PROFILES, total, dimension_names=NAMES)[4]
    assert "后三分之一" in zh and f"阈值{float(th.total_bottom[0]):.3f}" in zh and "尽管技术" in zh
    assert "bottom third" in en and "never leading or breakthrough" in en and "although Tech" in en


def test_explanations_state_the_thresholds_by_hand():
    total = PROFILES.mean(axis=1)
    sorted_total = np.sort(total)
    # numpy's linear quantile of 6 values: position q * 5
    t_lead = sorted_total[3] + (10 / 3 - 3) * (sorted_total[4] - sorted_total[3])
    t_bottom = sorted_total[1] + (5 / 3 - 1) * (sorted_total[2] - sorted_total[1])
    expl = rule_explanations(PROFILES, total, dimension_names=NAMES)
    zh, en = expl[0]
    assert zh.startswith(f"总分{total[0]:.3f}位于前三分之一（阈值{t_lead:.3f}），且各维度均高于后三分之一阈值")
    assert en.startswith(f"total {total[0]:.3f} in the top third (threshold {t_lead:.3f}) and no dimension in "
                         "the bottom third")
    zh, en = expl[2]   # breakthrough: names the strength, the shortfall and both total thresholds
    assert "技术1.000" in zh and "形成突出优势" in zh and "龙头0.050" in zh and "短板明显" in zh
    assert f"不在后三分之一（阈值{t_bottom:.3f}）" in zh
    assert "Tech 1.000" in en and "a clear strength" in en and "Leaders 0.050" in en and "a clear shortfall" in en
    zh, en = expl[3]   # catch-up in the middle: why not leading and why not breakthrough
    assert "不属引领型" in zh and "未进前三分之一" in zh and "不属突破型：没有维度居前三分之一" in zh
    assert "not leading" in en and "not breakthrough: no dimension in the top third" in en


def test_catch_up_with_a_strength_but_no_shortfall_says_so():
    d = np.array([[0.9, 0.9], [0.8, 0.95], [0.95, 0.6], [0.6, 0.6], [0.3, 0.3], [0.1, 0.2]])
    types = _types(d)
    assert types[2] == "catch_up"
    zh, en = rule_explanations(d, d.mean(axis=1), dimension_names=NAMES[:2])[2]
    assert "无明显短板" in zh and "no clear shortfall" in en


@pytest.mark.parametrize("seed", range(5))
def test_rules_hold_on_random_profiles_and_batches(seed):
    rng = np.random.default_rng(seed)
    d = rng.uniform(0, 1, (50, 14, 4)) ** rng.uniform(0.5, 3, (50, 1, 4))
    total = d @ np.array([0.35, 0.19, 0.11, 0.35])
    codes = classify(d, total)
    th = thresholds(d, total)
    leading, breakthrough = codes == 0, codes == 1
    assert np.all(total[leading] >= np.broadcast_to(th.total_leading, total.shape)[leading])
    bottom = total <= th.total_bottom
    assert not np.any(bottom & (codes < 2))
    assert np.all(~bottom[breakthrough])
    # batched classification equals classifying every draw on its own
    for b in range(0, 50, 7):
        np.testing.assert_array_equal(codes[b], classify(d[b], total[b]))
    # the sentence always matches the type
    for b in range(3):
        for (zh, en), code in zip(rule_explanations(d[b], total[b]), codes[b]):
            assert ("位于前三分之一" in zh) == (code == 0)
            assert ("形成突出优势" in zh) == (code == 1)


def test_ties_at_the_minimum_are_a_shortfall_and_a_constant_dimension_is_neither():
    # 9 units; dimension 2 is 0 for four of them (more than a third tied at the minimum)
    d = np.array([[0.9, 0.0], [0.8, 0.0], [0.7, 0.0], [0.6, 0.0], [0.5, 0.5], [0.4, 0.6], [0.3, 0.7],
                  [0.2, 0.8], [0.1, 0.9]])
    tests = rule_tests(d, d.mean(axis=1))
    assert tests.shortfall[:4, 1].all()          # tied at the minimum: short, not "middle"
    assert _types(d)[0] == "breakthrough"         # top on dimension 1, nothing on dimension 2
    flat = np.column_stack([d[:, 0], np.full(9, 0.5)])
    tests = rule_tests(flat, flat.mean(axis=1))
    assert not tests.shortfall[:, 1].any() and not tests.strength[:, 1].any()


def test_rules_are_configurable_in_the_scheme():
    doc = yaml.safe_load(DEFAULT_SCHEME.read_text(encoding="utf-8"))
    assert load_scheme().typology.bottom_total_quantile == pytest.approx(1 / 3)
    doc["typology"]["bottom_total_quantile"] = 0.0
    relaxed = parse_scheme(doc).typology
    assert relaxed.bottom_total_quantile == 0.0
    assert _types(PROFILES, relaxed)[4] == "breakthrough"   # without the bottom rule the old reading returns
    assert not rule_tests(PROFILES, PROFILES.mean(axis=1), relaxed).total_bottom.any()   # not even the lowest
    zh, en = rule_explanations(PROFILES, PROFILES.mean(axis=1), relaxed, NAMES)[4]
    assert "后0%" in zh and "bottom 0%" in en
    doc["typology"]["bottom_total_quantile"] = 0.9
    with pytest.raises(SchemeError, match="bottom_total_quantile"):
        parse_scheme(doc)


def test_evaluation_records_carry_the_rule_sentence():
    import pandas as pd

    from jiqun.evaluation.run import evaluate
    from jiqun.evaluation.scheme import scheme_from_text

    class Entry:
        direction = "higher_better"

    text = """
name: three
dimension_weighting: equal
dimensions:
  - {id: a, name_zh: 技术, name_en: Tech, indicators: [i1]}
  - {id: b, name_zh: 龙头, name_en: Leaders, indicators: [i2]}
  - {id: c, name_zh: 品牌, name_en: Brand, indicators: [i3]}
"""
    scheme = scheme_from_text(text, {f"i{k}": Entry() for k in (1, 2, 3)})
    rows = [(f"u{i}", "320000", 2023, f"i{k + 1}", float(v)) for i, prof in enumerate(PROFILES)
            for k, v in enumerate(prof)]
    frame = pd.DataFrame(rows, columns=["cluster_id", "region_code", "year", "indicator", "value"])
    ev = evaluate(frame, scheme, draws=0)
    recs = {r["cluster"]: r for r in ev.records()}
    assert recs["u4"]["type"] == "catch_up" and "后三分之一" in recs["u4"]["rule_zh"]
    for rec in recs.values():
        assert rec["rule_zh"] in rec["explanation_zh"] and rec["rule_en"] in rec["explanation_en"]
