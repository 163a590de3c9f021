"""Cluster promotion organisations (jiqun.organizations) on hand-made data: indicators from the yearly
activity, levels, an organisation exactly at the 80 % gold boundary and one just below, improvement areas,
the cultivation pool's entries, exits and tier changes, scores equal to a hand computation of the
evaluation's min-max / equal-weight sum, and the `jiqun organizations` JSON contract."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from jiqun.cli import app
from jiqun.evaluation.run import evaluate
from jiqun.evaluation.scheme import SchemeError
from jiqun.organizations import (cultivation_pool, improvement_areas, indicator_levels, load_organization_scheme,
                                 organization_indicators, organization_tiers)

LEVELS = pd.DataFrame({"indicator": [f"i{k}" for k in range(10)], "bronze": 1.0, "silver": 2.0, "gold": 3.0,
                       "source": "test", "not_stored": False})
TIERS = pd.DataFrame([{"id": "gold", "name_zh": "金", "share": 0.8}, {"id": "silver", "name_zh": "银", "share": 0.8},
                      {"id": "bronze", "name_zh": "铜", "share": 0.8}])


def values(organization: str, levels: list[float], year: int = 2023) -> pd.DataFrame:
    return pd.DataFrame({"organization_id": organization, "year": year, "indicator": [f"i{k}" for k in range(10)],
                         "value": levels})


def test_an_organisation_at_the_gold_boundary_and_one_just_below():
    at = values("AT", [3] * 8 + [2, 0.5])        # 8 of 10 at gold: exactly 80 %
    below = values("BELOW", [3] * 7 + [2, 2, 2])  # 7 of 10 at gold, all 10 at silver or better
    tiers = organization_tiers(indicator_levels(pd.concat([at, below]), LEVELS), TIERS).set_index("organization_id")
    assert tiers.at["AT", "tier"] == "gold" and tiers.at["AT", "n_gold"] == 8
    assert tiers.at["BELOW", "tier"] == "silver" and tiers.at["BELOW", "n_silver"] == 10
    assert "8/10" in tiers.at["AT", "rule"] and "80%" in tiers.at["AT", "rule"]


def test_not_stored_and_missing_indicators_are_not_counted_as_met():
    levels = LEVELS.copy()
    levels.loc[9, "not_stored"] = True
    frame = values("X", [3] * 7 + [np.nan, 0, 99])  # i7 missing, i9 not stored (its 99 ignored)
    reached = indicator_levels(frame, levels)
    assert reached.assessable.sum() == 8
    tier = organization_tiers(reached, TIERS).iloc[0]
    assert tier.n_assessable == 8 and tier.n_gold == 7 and tier.tier == "gold"  # 7/8 = 87.5 %
    areas = improvement_areas(reached[reached.organization_id == "X"], None)
    assert areas.indicator.tolist()[0] == "i8"  # the zero is furthest below the bronze line


def test_cultivation_pool_entries_exits_and_changes():
    by_year = pd.DataFrame({"organization_id": ["A"] * 4 + ["B"] * 3, "year": [2020, 2021, 2022, 2023, 2021, 2022, 2023],
                            "tier": [None, "bronze", "gold", "silver", "silver", None, None]})
    pool = cultivation_pool(by_year)
    assert pool.values.tolist() == [["A", 2021, "entry", None, "bronze"], ["A", 2022, "up", "bronze", "gold"],
                                    ["A", 2023, "down", "gold", "silver"], ["B", 2022, "exit", "silver", None]]


def panel() -> pd.DataFrame:
    return pd.DataFrame({
        "organization_id": ["O1", "O2", "O3"], "name": ["甲", "乙", "丙"], "cluster_id": "iot",
        "region_code": ["320200", "320500", "320100"], "legal_form": ["association", "institute", "company"],
        "founded_year": [2010.0, 2020.0, 2015.0], "year": 2023, "member_firms": [200.0, 40.0, 100.0],
        "member_firms_prev": [180.0, 40.0, np.nan], "staff": [20.0, 4.0, 10.0], "budget_yuan": [6e6, 1e6, 2e6],
        "services": [400.0, 30.0, 100.0], "events": [30.0, 5.0, 12.0], "joint_projects": [9.0, 1.0, 3.0],
        "standards": [3.0, 0.0, 1.0], "satisfaction": [90.0, 70.0, 80.0], "local_cluster_firms": [400.0, 200.0, 0.0]})


def test_indicators_from_the_yearly_activity():
    wide = organization_indicators(panel()).pivot(index="organization_id", columns="indicator", values="value")
    assert wide.at["O1", "member_coverage"] == pytest.approx(0.5)
    assert np.isnan(wide.at["O3", "member_coverage"])  # no local cluster firms recorded
    assert wide.at["O1", "member_growth"] == pytest.approx(200 / 180 - 1)
    assert wide.at["O1", "staff_per_100_members"] == pytest.approx(10.0)
    assert wide.at["O2", "enterprise_led"] == 0 and wide.at["O3", "enterprise_led"] == 1
    assert wide.at["O1", "years_operating"] == 13 and wide.at["O1", "services_per_staff"] == pytest.approx(20)
    assert wide["self_financing_share"].isna().all()  # not stored


def test_scores_are_the_cluster_evaluation_reproduced_by_hand():
    scheme = load_organization_scheme()
    long = organization_indicators(panel())
    evaluation = evaluate(long.assign(cluster_id=long.organization_id), scheme.evaluation, 2023, draws=0)
    wide = long.pivot(index="organization_id", columns="indicator", values="value")
    expected = []
    for organization in ["O1", "O2", "O3"]:
        dimension_scores = []
        for dimension in scheme.evaluation.top:
            scores = []
            for indicator in scheme.evaluation.indicators(dimension):
                column = wide[indicator].copy()
                column = column.fillna(column.min())  # missing: worst; a constant column scores 0.5
                span = column.max() - column.min()
                scores.append(0.5 if span == 0 else (column[organization] - column.min()) / span)
            dimension_scores.append(np.mean(scores))
        expected.append(np.mean(dimension_scores))
    units = [unit[0] for unit in evaluation.units]
    assert dict(zip(units, evaluation.score)) == pytest.approx(dict(zip(["O1", "O2", "O3"], expected)))


def test_scheme_errors_are_listed(tmp_path):
    bad = tmp_path / "scheme.yaml"
    bad.write_text("dimensions:\n  - id: d\n    indicators: [member_firms]\nlevels:\n  nope: {bronze: 1, silver: 2, "
                   "gold: 3}\n  staff: {bronze: 3, silver: 2, gold: 1}\ntiers: []\n", encoding="utf-8")
    with pytest.raises(SchemeError) as caught:
        load_organization_scheme(bad)
    message = str(caught.value)
    assert "nope" in message and "bronze ≤ silver ≤ gold" in message and "tiers" in message


def test_organizations_json_contract(demo_store):
    result = CliRunner().invoke(app, ["organizations", "--db", str(demo_store), "--format", "json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert records and [r["rank"] for r in records] == sorted(r["rank"] for r in records)
    for record in records:
        assert {"organization_id", "score", "tier"} <= set(record)
        assert isinstance(record["score"], float) and 0 <= record["score"] <= 1
        assert record["tier"] in ("gold", "silver", "bronze", None)
        assert record["rule"] and record["rank_p05"] <= record["rank"] <= record["rank_p95"]
        assert record["explanation_zh"].startswith(record["name"]) and f"第{record['rank']}位" in record["explanation_zh"]
        assert record["tier_zh"] in record["explanation_zh"] and f"rank {record['rank']} of" in record["explanation_en"]
