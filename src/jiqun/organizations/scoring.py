"""Indicators, levels, tiers, improvement areas and the cultivation pool (培育库) of cluster promotion
organisations — pure functions on an organisation-year panel and the scheme (``data/scheme.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import yaml

from ..evaluation.scheme import Scheme, SchemeError, parse_scheme

LEVELS = ("bronze", "silver", "gold")
ENTERPRISE_LED_FORMS = ("association", "alliance", "company")
#: Columns of the organisation-year panel.
PANEL_COLUMNS = ("organization_id", "name", "cluster_id", "region_code", "legal_form", "founded_year", "year",
                 "member_firms", "member_firms_prev", "staff", "budget_yuan", "services", "events",
                 "joint_projects", "standards", "satisfaction", "local_cluster_firms")


def level_rank(level) -> int:
    """Position of a level in :data:`LEVELS` (−1 for none: None or NaN)."""
    return LEVELS.index(level) if isinstance(level, str) else -1


def _ratio(numerator, denominator, scale: float = 1.0) -> np.ndarray:
    numerator, denominator = np.asarray(numerator, float), np.asarray(denominator, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, scale * numerator / denominator, np.nan)


#: indicator → (Chinese name, direction, Excel kind, function(panel) → values).
INDICATORS = {
    "member_firms": ("会员企业数", "benefit", "integer", lambda p: p.member_firms),
    "member_coverage": ("会员占所在城市集群企业比重", "benefit", "share",
                        lambda p: _ratio(p.member_firms, p.local_cluster_firms)),
    "member_growth": ("会员数增长率", "benefit", "share", lambda p: _ratio(p.member_firms, p.member_firms_prev) - 1),
    "staff": ("专职人员", "benefit", "integer", lambda p: p.staff),
    "staff_per_100_members": ("每百家会员专职人员", "benefit", "decimal", lambda p: _ratio(p.staff, p.member_firms, 100)),
    "years_operating": ("运营年数", "benefit", "integer", lambda p: p.year - p.founded_year),
    "enterprise_led": ("企业主导（是=1）", "benefit", "integer",
                       lambda p: np.where(p.legal_form.isna(), np.nan, p.legal_form.isin(ENTERPRISE_LED_FORMS))),
    "budget_yuan": ("年度经费", "benefit", "money_wan", lambda p: p.budget_yuan),
    "budget_per_member": ("每家会员经费", "benefit", "money_wan", lambda p: _ratio(p.budget_yuan, p.member_firms)),
    "self_financing_share": ("自筹经费占比", "benefit", "share", lambda p: np.full(len(p), np.nan)),
    "services": ("服务次数", "benefit", "integer", lambda p: p.services),
    "services_per_staff": ("人均服务次数", "benefit", "decimal", lambda p: _ratio(p.services, p.staff)),
    "events": ("活动次数", "benefit", "integer", lambda p: p.events),
    "joint_projects": ("协同创新项目", "benefit", "integer", lambda p: p.joint_projects),
    "standards": ("标准制定数", "benefit", "integer", lambda p: p.standards),
    "satisfaction": ("会员满意度", "benefit", "decimal", lambda p: p.satisfaction),
}


@dataclass
class OrganizationScheme:
    """The evaluation scheme (for :func:`jiqun.evaluation.run.evaluate`), levels and tier rules."""

    evaluation: Scheme
    levels: pd.DataFrame   # indicator, bronze, silver, gold, source, not_stored
    tiers: pd.DataFrame    # id, name_zh, share, source (highest first)
    text: str


def load_organization_scheme(path: str | Path | None = None) -> OrganizationScheme:
    """Read and check the organisation scheme (default: the shipped ``data/scheme.yaml``).

    Raises
    ------
    SchemeError
        Unknown indicators, levels out of order, tiers without a share (every problem listed).
    """
    if path is None:
        text = resources.files("jiqun.organizations").joinpath("data", "scheme.yaml").read_text(encoding="utf-8")
        source = "organizations/data/scheme.yaml"
    else:
        text, source = Path(path).read_text(encoding="utf-8"), str(path)
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SchemeError([f"not valid YAML: {exc}"], source) from None
    catalogue = {name: SimpleNamespace(direction=spec[1]) for name, spec in INDICATORS.items()}
    evaluation = parse_scheme(document, catalogue, text, source)
    problems = []
    rows = []
    for indicator, spec in (document.get("levels") or {}).items():
        if indicator not in INDICATORS:
            problems.append(f"levels: unknown indicator {indicator!r} (known: {', '.join(INDICATORS)})")
            continue
        try:
            values = [float(spec[level]) for level in LEVELS]
        except (KeyError, TypeError, ValueError):
            problems.append(f"levels.{indicator}: give numbers for {', '.join(LEVELS)}")
            continue
        if values != sorted(values):
            problems.append(f"levels.{indicator}: bronze ≤ silver ≤ gold is required, got {values}")
        rows.append({"indicator": indicator, **dict(zip(LEVELS, values)), "source": str(spec.get("source", "")),
                     "not_stored": bool(spec.get("not_stored", False))})
    tiers = pd.DataFrame(document.get("tiers") or [])
    if tiers.empty or not {"id", "name_zh", "share"} <= set(tiers.columns) or not set(tiers.id) <= set(LEVELS):
        problems.append(f"tiers: a list of {{id, name_zh, share}} with ids among {', '.join(LEVELS)}")
    if problems:
        raise SchemeError(problems, source)
    tiers["share"] = tiers.share.astype(float)
    order = {level: position for position, level in enumerate(LEVELS)}
    tiers = tiers.sort_values("id", key=lambda ids: -ids.map(order)).reset_index(drop=True)
    return OrganizationScheme(evaluation, pd.DataFrame(rows), tiers, text)


def organization_indicators(panel: pd.DataFrame) -> pd.DataFrame:
    """Every :data:`INDICATORS` entry for every organisation-year of ``panel`` (:data:`PANEL_COLUMNS`).

    Returns
    -------
    pandas.DataFrame
        ``organization_id, cluster_id, region_code, year, indicator, value`` (long; NaN = no data).
    """
    parts = []
    for indicator, (_zh, _direction, _kind, compute) in INDICATORS.items():
        parts.append(pd.DataFrame({"organization_id": panel.organization_id.to_numpy(),
                                   "cluster_id": panel.cluster_id.to_numpy(), "region_code": panel.region_code.to_numpy(),
                                   "year": panel.year.to_numpy(), "indicator": indicator,
                                   "value": np.asarray(compute(panel), float)}))
    return pd.concat(parts, ignore_index=True)


def indicator_levels(values: pd.DataFrame, levels: pd.DataFrame) -> pd.DataFrame:
    """The level each indicator value reaches: ``level`` (None below bronze), ``assessable`` (data and
    stored), ``next_level`` and ``to_next`` (how much is missing to it; None at gold).

    Parameters
    ----------
    values : pandas.DataFrame
        ``organization_id, year, indicator, value``.
    levels : pandas.DataFrame
        ``indicator, bronze, silver, gold, not_stored`` (:attr:`OrganizationScheme.levels`).
    """
    frame = values.merge(levels, on="indicator")
    reached, following, missing = [], [], []
    for row in frame.itertuples(index=False):
        level = None
        if not row.not_stored and not np.isnan(row.value):
            for name in LEVELS:
                if row.value >= getattr(row, name):
                    level = name
        above = LEVELS[0] if level is None else (LEVELS[LEVELS.index(level) + 1] if level != "gold" else None)
        reached.append(level)
        following.append(above)
        missing.append(None if above is None or np.isnan(row.value) else float(getattr(row, above) - row.value))
    frame["level"], frame["next_level"], frame["to_next"] = reached, following, missing
    frame["assessable"] = ~frame.not_stored & frame.value.notna()
    return frame


def organization_tiers(levels_reached: pd.DataFrame, tiers: pd.DataFrame) -> pd.DataFrame:
    """The tier of every organisation-year: the highest tier with at least its ``share`` of the assessable
    indicators at its level or above; the rule that placed it, in words.

    Returns
    -------
    pandas.DataFrame
        ``organization_id, year, tier`` (None: below every tier), ``tier_zh, n_assessable, n_bronze,
        n_silver, n_gold`` (indicators at that level or above), ``rule_zh``, ``rule_en`` and ``rule`` (both).
    """
    rows = []
    for (organization, year), group in levels_reached.groupby(["organization_id", "year"], sort=True):
        usable = group[group.assessable]
        counts = {level: int(sum(level_rank(value) >= level_rank(level) for value in usable.level))
                  for level in LEVELS}
        total = len(usable)
        tier, tier_zh, rule_zh, rule_en = None, "未达标", "", ""
        for spec in tiers.itertuples(index=False):
            if total and counts[spec.id] >= spec.share * total - 1e-9:
                tier, tier_zh = spec.id, spec.name_zh
                rule_zh = f"{counts[spec.id]}/{total} 项可评指标达到{spec.name_zh}水平（≥{spec.share:.0%}）"
                rule_en = f"{counts[spec.id]} of {total} assessable indicators at {spec.id} level or above"
                break
        if tier is None:
            lowest = tiers.iloc[-1]
            rule_zh = f"仅 {counts[lowest.id]}/{total} 项达到{lowest.name_zh}水平（需≥{lowest.share:.0%}）"
            rule_en = f"only {counts[lowest.id]} of {total} at {lowest.id} level (at least {lowest.share:.0%} needed)"
        rule = f"{rule_zh} {rule_en}"
        rows.append({"organization_id": organization, "year": int(year), "tier": tier, "tier_zh": tier_zh,
                     "n_assessable": total, **{f"n_{level}": counts[level] for level in LEVELS}, "rule": rule,
                     "rule_zh": rule_zh, "rule_en": rule_en})
    return pd.DataFrame(rows)


def improvement_areas(levels_reached: pd.DataFrame, tier: str | None, count: int = 3) -> pd.DataFrame:
    """An organisation-year's indicators below the level of the next tier, largest shortfall (relative to
    the level) first, and the not-stored indicators to collect.

    Parameters
    ----------
    levels_reached : pandas.DataFrame
        One organisation-year's rows of :func:`indicator_levels`.
    tier : str or None
        The tier it holds.
    """
    target = LEVELS[0] if tier is None else (LEVELS[LEVELS.index(tier) + 1] if tier != "gold" else "gold")
    below = levels_reached[levels_reached.assessable &
                           (levels_reached.level.map(level_rank) < level_rank(target))].copy()
    below["target"] = target
    below["target_value"] = [getattr(row, target) for row in below.itertuples()]
    with np.errstate(divide="ignore", invalid="ignore"):
        below["shortfall"] = 1 - below.value / below.target_value.where(below.target_value != 0)
    return below.sort_values("shortfall", ascending=False).head(count)[
        ["indicator", "value", "level", "target", "target_value", "shortfall"]]


def cultivation_pool(tiers_by_year: pd.DataFrame) -> pd.DataFrame:
    """Movements of the cultivation pool (培育库: organisations holding a tier) between consecutive years.

    Parameters
    ----------
    tiers_by_year : pandas.DataFrame
        ``organization_id, year, tier`` (:func:`organization_tiers` over several years).

    Returns
    -------
    pandas.DataFrame
        ``organization_id, year, change`` (entry 入库, exit 出库, up 升级, down 降级), ``tier_before, tier``.
    """
    rows = []
    for organization, group in tiers_by_year.sort_values("year").groupby("organization_id"):
        previous = None
        for row in group.itertuples(index=False):
            tier = row.tier if isinstance(row.tier, str) else None
            if previous is not None:
                before = previous[1]
                change = None
                if before is None and tier is not None:
                    change = "entry"
                elif before is not None and tier is None:
                    change = "exit"
                elif level_rank(tier) > level_rank(before):
                    change = "up"
                elif level_rank(tier) < level_rank(before):
                    change = "down"
                if change:
                    rows.append({"organization_id": organization, "year": int(row.year), "change": change,
                                 "tier_before": before, "tier": tier})
            previous = (row.year, tier)
    pool = pd.DataFrame(rows, columns=["organization_id", "year", "change", "tier_before", "tier"])
    for column in ("tier_before", "tier"):
        pool[column] = pd.Series([value if isinstance(value, str) else None for value in pool[column]],
                                 index=pool.index, dtype=object)
    return pool
