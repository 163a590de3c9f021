"""Breakthrough window (突破窗口期) and priority (攻关优先级) of chokepoint items. Pure functions.

Window. The gap is the import share above the target (``window.target_import_share`` of
``data/classes.yaml``, default 30 %). Its trend is the least-squares slope of the import share on the
year over the last ``trend_years`` years with data (at least ``min_points``); the estimate is
gap / −slope years, and the interval uses slope ± 1.96 standard errors. It assumes the recent linear
trend goes on (no policy change, no new shock): a reading of momentum, not a forecast. No estimate
(null, with the reason) when the share is not falling, too few years are known, or it lies beyond
``horizon_years``. A **window of opportunity** (机遇窗口) is flagged when world supply is diversifying
(world export HHI fell by at least ``diversifying_world_hhi_change`` a year) or the region's patenting
grows fast (``fast_patent_growth`` a year or more).

Priority ("what is most lacking first", 最缺什么补什么). Three scores in [0, 1], each the mean of its
measures' percentile ranks among the cluster's items (a missing measure is left out of the mean; an
item with none of a score's measures gets 0.5, the middle): **criticality** (the segment's share of the
cluster's purchases and of the output downstream of it), **severity** (import share, import HHI and the
class: fully dependent 1, lagging 0.6, R&D base 0.3) and **feasibility** (the region's patents, RTA and
patent growth). The priority score is their weighted mean (default 0.4 / 0.4 / 0.2); ``priority`` is the
rank within the cluster (1 = first). Sensitivity: each alternative weight set re-ranks the items;
``rank_best`` and ``rank_worst`` show how far the rank moves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SCORES = ("criticality", "severity", "feasibility")


def calc_trend(years: np.ndarray, values: np.ndarray) -> tuple[float, float, int]:
    """Least-squares slope of ``values`` on ``years``, its standard error and the number of points
    (NaN values dropped; slope NaN under 2 points, se NaN under 3)."""
    keep = ~np.isnan(values)
    x, y = years[keep].astype(float), values[keep].astype(float)
    n = len(x)
    if n < 2 or np.ptp(x) == 0:
        return np.nan, np.nan, n
    x_centred = x - x.mean()
    slope = float((x_centred * (y - y.mean())).sum() / (x_centred ** 2).sum())
    if n < 3:
        return slope, np.nan, n
    residuals = y - (y.mean() + slope * x_centred)
    se = float(np.sqrt((residuals ** 2).sum() / (n - 2) / (x_centred ** 2).sum()))
    return slope, se, n


def _years_to(gap: float, slope: float) -> float:
    return gap / -slope if slope < 0 else np.inf


def window_estimate(years, shares, target: float, trend_years: int = 5, min_points: int = 3,
                    horizon_years: float = 30) -> dict:
    """Years for one item's import share to reach ``target`` on its recent trend.

    Returns
    -------
    dict
        ``import_share`` (latest), ``trend_per_year``, ``trend_points``, ``window_years``, ``window_low``,
        ``window_high`` (NaN = open), ``window_reason`` (why there is no estimate, or what it assumes).
    """
    years = np.asarray(years, dtype=float)
    shares = np.asarray(shares, dtype=float)
    order = np.argsort(years)
    years, shares = years[order], shares[order]
    known = ~np.isnan(shares)
    recent = years >= (years[known].max() - trend_years + 1) if known.any() else known
    slope, se, points = calc_trend(years[recent], shares[recent])
    latest = float(shares[known][-1]) if known.any() else np.nan
    out = {"import_share": latest, "trend_per_year": slope, "trend_points": points, "window_years": np.nan,
           "window_low": np.nan, "window_high": np.nan}
    if np.isnan(latest):
        return {**out, "window_reason": "无进口占比数据 no import share"}
    if latest <= target:
        return {**out, "window_years": 0.0, "window_low": 0.0, "window_high": 0.0,
                "window_reason": f"进口占比已低于目标 {target:.0%} already below the target"}
    if points < min_points:
        return {**out, "window_reason": f"仅 {points} 年数据，少于 {min_points} 年 too few years for a trend"}
    if not slope < 0:
        return {**out, "window_reason": "进口占比未下降 the import share is not falling"}
    gap = latest - target
    estimate = _years_to(gap, slope)
    if estimate > horizon_years:
        return {**out, "window_reason": f"按当前趋势超过 {horizon_years:g} 年 beyond {horizon_years:g} years"}
    low = _years_to(gap, slope - 1.96 * se) if not np.isnan(se) else np.nan
    high = _years_to(gap, slope + 1.96 * se) if not np.isnan(se) else np.nan
    return {**out, "window_years": estimate, "window_low": low, "window_high": high if np.isfinite(high) else np.nan,
            "window_reason": f"按近 {points} 年线性趋势（每年 {slope * 100:+.1f} 个百分点）外推至 {target:.0%}；"
                             "假定趋势延续 assumes the recent linear trend goes on"}


def opportunity(world_hhi_change, patent_growth, settings: dict) -> tuple[bool, str]:
    """Whether a window of opportunity is open, and why (see the module docstring)."""
    reasons = []
    falling = settings.get("diversifying_world_hhi_change", -0.01)
    fast = settings.get("fast_patent_growth", 0.2)
    if world_hhi_change is not None and not pd.isna(world_hhi_change) and world_hhi_change <= falling:
        reasons.append(f"全球供应趋于分散（出口HHI年变化 {world_hhi_change:+.3f}）world supply diversifying")
    if patent_growth is not None and not pd.isna(patent_growth) and patent_growth >= fast:
        reasons.append(f"省内专利快速增长（年均 {patent_growth:.0%}）domestic patenting growing fast")
    return bool(reasons), "；".join(reasons)


def _component(items: pd.DataFrame, measures, group) -> pd.Series:
    ranks = [items.groupby(group)[m].rank(pct=True, method="average") for m in measures if m in items.columns]
    if not ranks:
        return pd.Series(0.5, index=items.index)
    return pd.concat(ranks, axis=1).mean(axis=1, skipna=True).fillna(0.5)


def priority_scores(items: pd.DataFrame, settings: dict, group: str = "cluster_id") -> pd.DataFrame:
    """Add ``criticality``, ``severity``, ``feasibility``, ``priority_score``, ``priority`` (rank in the
    group, 1 = first; ties by purchase share, then product), ``rank_best`` and ``rank_worst`` (over the
    sensitivity weight sets and the default).

    Parameters
    ----------
    items : pandas.DataFrame
        ``cluster_id``, ``class``, ``hs6`` and the measures the settings name (shipped: ``purchase_share``,
        ``downstream_output_share``, ``import_share``, ``import_hhi``, ``n_region_patents_3y``, ``rta``,
        ``region_patent_growth``).
    settings : dict
        The ``priority`` block of the class rules.
    """
    out = items.copy()
    severity_by_class = settings.get("class_severity", {})
    out["class_severity"] = out["class"].map(severity_by_class).astype(float)
    for score in SCORES:
        out[score] = _component(out, settings.get(score, ()), group)
    weights = settings.get("weights", {"criticality": 0.4, "severity": 0.4, "feasibility": 0.2})
    out["priority_score"] = _weighted(out, weights)
    out["priority"] = _ranks(out, "priority_score", group)
    alternatives = [_ranks(out.assign(_score=_weighted(out, w)), "_score", group)
                    for w in settings.get("sensitivity", ())]
    every = pd.concat([out["priority"], *alternatives], axis=1)
    out["rank_best"], out["rank_worst"] = every.min(axis=1).astype("int64"), every.max(axis=1).astype("int64")
    return out


def province_ranks(items: pd.DataFrame) -> pd.Series:
    """Rank of each item's ``priority_score`` over the whole province (1 = first), ties broken as
    within a cluster."""
    return _ranks(items, "priority_score", None)


def _weighted(items: pd.DataFrame, weights: dict) -> pd.Series:
    total = sum(float(weights.get(s, 0)) for s in SCORES)
    if total <= 0:
        raise ValueError(f"priority weights {weights} must add up to more than 0")
    return sum(items[s] * float(weights.get(s, 0)) for s in SCORES) / total


def _ranks(items: pd.DataFrame, column: str, group: str | None) -> pd.Series:
    """Rank 1..n of ``column`` (descending) within ``group`` (None: over all items); ties by purchase
    share, then cluster, segment and product, so the order never depends on the rows' order."""
    tie = items["purchase_share"] if "purchase_share" in items.columns else pd.Series(0.0, index=items.index)
    ordered = items.assign(_tie=tie.fillna(0), _group=items[group] if group else 0)
    keys = [k for k in ("cluster_id", "node_id", "hs6") if k in items.columns]
    ordered = ordered.sort_values(["_group", column, "_tie", *keys], ascending=[True, False, False, *[True] * len(keys)],
                                  kind="stable", na_position="first")
    ranks = ordered.groupby("_group").cumcount() + 1
    return ranks.reindex(items.index).astype("int64")
