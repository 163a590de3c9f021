"""Evaluation of the cluster promotion organisations of a store: their indicators scored by jiqun's cluster
evaluation (the same normalisation, weighting and Monte Carlo rank intervals), tiers, improvement areas
and the cultivation pool over the years."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from ibis import _

from .. import marts
from ..evaluation.run import evaluate
from .scoring import (INDICATORS, PANEL_COLUMNS, OrganizationScheme, cultivation_pool, improvement_areas,
                      indicator_levels, load_organization_scheme, organization_indicators, organization_tiers)

#: Columns of :attr:`OrganizationEvaluation.organizations`, in order.
ORGANIZATION_COLUMNS = ("organization_id", "name", "cluster_id", "region_code", "year", "score", "rank",
                        "rank_p05", "rank_p95", "tier", "tier_zh", "rule", "n_assessable", "n_bronze", "n_silver",
                        "n_gold", "weakest_dimension", "improvement", "explanation_zh", "explanation_en")


@dataclass
class OrganizationEvaluation:
    """What :func:`evaluate_organizations` returns.

    Attributes
    ----------
    organizations : pandas.DataFrame
        :data:`ORGANIZATION_COLUMNS`, best first; ``improvement`` a list of dicts (indicator, value, target
        level and value, shortfall); ``score`` in [0, 1] (the evaluation's weighted sum of dimension scores).
    dimensions : pandas.DataFrame
        ``organization_id`` and one score column per dimension of the scheme.
    levels : pandas.DataFrame
        Every indicator of every organisation in the year with the level it reaches.
    pool : pandas.DataFrame
        Entries, exits and tier changes of the cultivation pool over all years.
    tiers_by_year : pandas.DataFrame
    scheme : OrganizationScheme
    notes : list of str
    """

    organizations: pd.DataFrame
    dimensions: pd.DataFrame
    levels: pd.DataFrame
    pool: pd.DataFrame
    tiers_by_year: pd.DataFrame
    scheme: OrganizationScheme
    notes: list


def organization_panel(con) -> pd.DataFrame:
    """Organisation-years with the previous year's members and the number of firms of the organisation's
    cluster in its city that year (:data:`jiqun.organizations.scoring.PANEL_COLUMNS`)."""
    organizations = con.table("organizations")
    years = con.table("organization_years")
    joined = years.join(organizations, "organization_id").mutate(city_code=marts.city_code(_.region_code))
    local = marts.cluster_city_year(con).select("cluster_id", "city_code", "year", local_cluster_firms=_.n_firms)
    frame = joined.left_join(local, ["cluster_id", "city_code", "year"]).select(
        "organization_id", "name", "cluster_id", "region_code", "legal_form", "year", "member_firms", "staff",
        "budget_yuan", "services", "events", "joint_projects", "standards", "satisfaction", "local_cluster_firms",
        founded_year=_.founded_on.year()).to_pandas()
    frame = frame.sort_values(["organization_id", "year"]).reset_index(drop=True)
    previous = frame.groupby("organization_id").shift(1)
    consecutive = frame.year - previous.year == 1
    frame["member_firms_prev"] = previous.member_firms.where(consecutive)
    for column in ("member_firms", "member_firms_prev", "staff", "budget_yuan", "services", "events", "joint_projects",
                   "standards", "satisfaction", "local_cluster_firms", "founded_year"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame[list(PANEL_COLUMNS)]


def evaluate_organizations(con, year: int | None = None, scheme: OrganizationScheme | None = None,
                           draws: int | None = None, seed: int | None = None) -> OrganizationEvaluation:
    """Score, rank (with the Monte Carlo rank interval), tier and improvement areas of every organisation
    active in ``year`` (default: the latest year of ``organization_years``); the pool over all years.

    Raises
    ------
    ValueError
        No organisation data, or ``year`` without it (the message lists the years that have it).
    """
    scheme = scheme or load_organization_scheme()
    panel = organization_panel(con)
    years = sorted(int(value) for value in panel.year.unique())
    if not years:
        raise ValueError("the store has no organisation data (organization_years is empty): load it first")
    year = years[-1] if year is None else int(year)
    if year not in years:
        raise ValueError(f"year {year} has no organisation data; choose one of {', '.join(map(str, years))}")
    values = organization_indicators(panel)
    levels = indicator_levels(values, scheme.levels)
    tiers_by_year = organization_tiers(levels, scheme.tiers)
    this_year = values[values.year == year]
    units = this_year.assign(cluster_id=this_year.organization_id)  # the evaluation's unit key: one organisation
    evaluation = evaluate(units, scheme.evaluation, year, draws=draws, seed=seed)
    records = pd.DataFrame(evaluation.records())
    facts = panel[panel.year == year].set_index("organization_id")
    tiers = tiers_by_year[tiers_by_year.year == year].set_index("organization_id")
    year_levels = levels[levels.year == year]
    out = pd.DataFrame({
        "organization_id": records.cluster, "name": facts.name.reindex(records.cluster).to_numpy(),
        "cluster_id": facts.cluster_id.reindex(records.cluster).to_numpy(), "region_code": records.region,
        "year": year, "score": records.score, "rank": records["rank"],
        "rank_p05": records.get("rank_p05"), "rank_p95": records.get("rank_p95"),
        "weakest_dimension": records.weakest_dimension})
    for column in ("tier", "tier_zh", "rule", "rule_zh", "rule_en", "n_assessable", "n_bronze", "n_silver", "n_gold"):
        out[column] = tiers[column].reindex(out.organization_id).to_numpy()
    out["tier"] = pd.Series([tier if isinstance(tier, str) else None for tier in out.tier], dtype=object)
    out["improvement"] = [_improvement(year_levels[year_levels.organization_id == organization], tier)
                          for organization, tier in zip(out.organization_id, out.tier)]
    dimensions = pd.DataFrame([{"organization_id": record["cluster"], **record["dimensions"]}
                               for record in evaluation.records()])
    names = {dimension.id: (dimension.name_zh, dimension.name_en) for dimension in scheme.evaluation.dimensions.values()}
    explained = [explain_organization(row, len(out), names) for row in out.to_dict(orient="records")]
    out["explanation_zh"], out["explanation_en"] = [e[0] for e in explained], [e[1] for e in explained]
    out = out.drop(columns=["rule_zh", "rule_en"])
    pool = cultivation_pool(tiers_by_year)
    return OrganizationEvaluation(out[list(ORGANIZATION_COLUMNS)], dimensions, year_levels, pool, tiers_by_year,
                                  scheme, list(evaluation.notes))


def explain_organization(row: dict, total: int, dimensions: dict[str, tuple[str, str]]) -> tuple[str, str]:
    """One organisation's rank, interval, tier with its rule, weakest area and first improvements, in words
    (Chinese, English), in the manner of the cluster evaluation's explanations."""
    interval = ("" if row.get("rank_p05") is None or row["rank_p05"] != row["rank_p05"]
                else (f"（排名区间{int(row['rank_p05'])}–{int(row['rank_p95'])}）",
                      f" (interval {int(row['rank_p05'])}–{int(row['rank_p95'])})"))
    weakest = dimensions.get(row["weakest_dimension"], (row["weakest_dimension"], row["weakest_dimension"]))
    steps = [item for item in row["improvement"] if item.get("target")][:2]
    zh = (f"{row['name']}综合得分{row['score']:.3f}，在{total}家机构中排第{row['rank']}位{interval[0] if interval else ''}；"
          f"等级：{row['tier_zh']}（{row['rule_zh']}）；最弱领域：{weakest[0]}"
          + ("；优先改进：" + "、".join(f"{item['name_zh']}（{item['value']:g}→{item['target_value']:g}）" for item in steps)
             if steps else "") + "。")
    tier_en = row["tier"] or "no tier"
    en = (f"{row['name']} scores {row['score']:.3f}, rank {row['rank']} of {total}{interval[1] if interval else ''}; "
          f"tier: {tier_en} ({row['rule_en']}); weakest area: {weakest[1]}"
          + ("; improve first: " + ", ".join(f"{item['indicator']} ({item['value']:g} → {item['target_value']:g})"
                                             for item in steps) if steps else "") + ".")
    return zh, en


def _improvement(rows: pd.DataFrame, tier) -> list[dict]:
    areas = improvement_areas(rows, tier if isinstance(tier, str) else None)
    out = [{"indicator": row.indicator, "name_zh": INDICATORS[row.indicator][0], "value": float(row.value),
            "level": row.level if isinstance(row.level, str) else None, "target": row.target, "target_value": float(row.target_value),
            "shortfall": None if not np.isfinite(row.shortfall) else float(row.shortfall)}
           for row in areas.itertuples(index=False)]
    missing = rows[rows.not_stored]
    out += [{"indicator": indicator, "name_zh": INDICATORS[indicator][0], "value": None, "level": None,
             "target": None, "target_value": None, "shortfall": None, "note": "not stored: collect it 待采集"}
            for indicator in missing.indicator]
    return out
