"""Alerts (预警): rules declared as data (``data/alerts.yaml``) evaluated on the long indicator table.

A rule fires for a cluster × region × year when, over ``window`` consecutive years ending in t
(``y`` the indicator value):

above / below   y_s > θ_s (y_s < θ_s) for s = t−window+1 … t; θ is the ``threshold`` or, with
                ``percentile`` p, the p-th percentile (linear) of y over the regions of the same
                cluster and year
decrease        y_s < y_{s−1} for s = t−window+1 … t   (``increase``: y_s > y_{s−1})

Years must be consecutive. The evidence is the series of values behind the decision;
``n_firms`` is the firm count of the indicator cell of year t (the cell the rule fires on).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ibis
import yaml
from ibis import _

from .base import stack
from .catalogue import DATA, load_catalogue

COMPARISONS = ("above", "below", "decrease", "increase")
OUTPUT = ("alert", "name_zh", "name_en", "cluster_id", "region_code", "year", "indicator", "value", "n_firms",
          "evidence")


@dataclass(frozen=True)
class AlertRule:
    id: str
    name_zh: str
    name_en: str
    indicator: str
    comparison: str
    threshold: float | None = None
    percentile: float | None = None
    window: int = 1


def parse_alerts(data: dict) -> list[AlertRule]:
    """Validate parsed alert rules (unknown indicator or comparison, missing threshold … refused)."""
    catalogue = load_catalogue()
    rules, seen = [], set()
    for entry in data.get("alerts", []):
        rule = AlertRule(**entry)
        where = f"alert {rule.id!r}"
        if rule.id in seen:
            raise ValueError(f"{where}: duplicate id")
        seen.add(rule.id)
        if rule.indicator not in catalogue:
            raise ValueError(f"{where}: unknown indicator {rule.indicator!r}")
        if rule.comparison not in COMPARISONS:
            raise ValueError(f"{where}: comparison must be one of {COMPARISONS}")
        if rule.comparison in ("above", "below") and (rule.threshold is None) == (rule.percentile is None):
            raise ValueError(f"{where}: give exactly one of threshold or percentile")
        if rule.percentile is not None and not 0 <= rule.percentile <= 100:
            raise ValueError(f"{where}: percentile must lie in 0-100")
        if int(rule.window) < 1:
            raise ValueError(f"{where}: window must be ≥ 1")
        rules.append(rule)
    return rules


@lru_cache(maxsize=4)
def load_alerts(path: Path | None = None) -> tuple[AlertRule, ...]:
    """Load and validate the alert rules (default: the shipped ``alerts.yaml``)."""
    with open(Path(path) if path else DATA / "alerts.yaml", encoding="utf-8") as fh:
        return tuple(parse_alerts(yaml.safe_load(fh)))


def _fmt(v):
    return v.round(4).cast("string").fill_null("∅")


def evaluate_rule(indicators: ibis.Table, rule: AlertRule) -> ibis.Table:
    """The rows for which ``rule`` fires, with evidence (see module docstring)."""
    t = indicators.filter(_.indicator == rule.indicator).select("cluster_id", "region_code", "year", "value",
                                                                  n_firms=_.n_firms.cast("int64"))
    if rule.percentile is not None:
        cut = t.group_by("cluster_id", "year").aggregate(theta=_.value.quantile(rule.percentile / 100))
        t = t.join(cut, ["cluster_id", "year"])
    else:
        t = t.mutate(theta=ibis.literal(rule.threshold if rule.threshold is not None else 0.0, "float64"))
    n = int(rule.window)
    lags = n if rule.comparison in ("decrease", "increase") else n - 1
    w = ibis.window(group_by=["cluster_id", "region_code"], order_by="year")
    t = t.mutate(**{f"v{k}": _.value.lag(k).over(w) for k in range(1, lags + 1)},
                 **{f"y{k}": _.year.lag(k).over(w) for k in range(1, lags + 1)},
                 **{f"th{k}": _.theta.lag(k).over(w) for k in range(1, lags + 1)})
    v = {0: t.value, **{k: t[f"v{k}"] for k in range(1, lags + 1)}}
    th = {0: t.theta, **{k: t[f"th{k}"] for k in range(1, lags + 1)}}
    cond = ibis.literal(True)
    for k in range(1, lags + 1):
        cond &= t[f"y{k}"] == t.year - k
    for k in range(n):
        if rule.comparison == "above":
            cond &= v[k] > th[k]
        elif rule.comparison == "below":
            cond &= v[k] < th[k]
        elif rule.comparison == "decrease":
            cond &= v[k] < v[k + 1]
        else:
            cond &= v[k] > v[k + 1]
    fired = t.filter(cond.fill_null(False))
    series = None
    for k in range(lags, -1, -1):
        year = fired.year - k
        piece = year.cast("string") + ": " + _fmt(fired[f"v{k}"] if k else fired.value)
        series = piece if series is None else series + " → " + piece
    if rule.comparison in ("above", "below"):
        label = f"{'>' if rule.comparison == 'above' else '<'} "
        label += f"P{rule.percentile:g} = " if rule.percentile is not None else ""
        series = series + " (" + label + _fmt(fired.theta) + ")"
    return fired.select(alert=ibis.literal(rule.id), name_zh=ibis.literal(rule.name_zh),
                        name_en=ibis.literal(rule.name_en), cluster_id=fired.cluster_id,
                        region_code=fired.region_code, year=fired.year, indicator=ibis.literal(rule.indicator),
                        value=fired.value, n_firms=fired.n_firms, evidence=series)


def lost_segments(segments: ibis.Table) -> ibis.Table:
    """Chain nodes whose last local supplier disappeared: ``cluster_id, region_code, year, nodes``.

    ``segments``: :func:`jiqun.metrics.chain.segment_suppliers` (node × region × year, n_local).
    """
    before = segments.filter(_.n_local > 0).select("cluster_id", "node_id", "region_code", year=_.year + 1)
    now = segments.filter(_.n_local > 0).select("node_id", "region_code", "year")
    years = segments.select("year").distinct()
    lost = before.join(years, "year").anti_join(now, ["node_id", "region_code", "year"])
    return lost.group_by("cluster_id", "region_code", "year").aggregate(nodes=_.node_id.group_concat(", "))


def evaluate_alerts(indicators: ibis.Table, rules=None, segments: ibis.Table | None = None) -> ibis.Table:
    """Every rule evaluated on the long indicator table; one row per firing.

    Parameters
    ----------
    indicators : ibis.Table
        Long indicators (:func:`jiqun.metrics.compute_indicators` or ``indicator_results``).
    rules : sequence of AlertRule, optional
        Default: :func:`load_alerts`.
    segments : ibis.Table, optional
        Node-level supplier counts; when given, chain-coverage alerts name the lost segments.

    Returns
    -------
    ibis.Table
        ``alert, name_zh, name_en, cluster_id, region_code, year, indicator, value, n_firms, evidence``
        (``n_firms``: firms behind the indicator value of the year the rule fires).
    """
    rules = load_alerts() if rules is None else rules
    out = stack(*[evaluate_rule(indicators, r) for r in rules])
    if segments is not None:
        lost = lost_segments(segments)
        out = out.left_join(lost, ["cluster_id", "region_code", "year"]).select(
            *[c for c in OUTPUT if c != "evidence"],
            evidence=ibis.ifelse((_.indicator == "chain_segment_coverage") & _.nodes.notnull(),
                                 _.evidence + "; lost: " + _.nodes, _.evidence))
    return out.select(*OUTPUT).order_by("alert", "cluster_id", "region_code", "year")
