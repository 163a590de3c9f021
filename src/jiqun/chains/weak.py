"""Weak links (产业链短板): rules declared once as data (``data/weak_links.yaml``), evaluated on the
segment rows of the chain map.

A rule fires for a segment × year when ``value <comparison> threshold``, where ``value`` is the rule's
``metric`` column of the segment row (null never fires). Each finding carries the evidence in words
with the numbers, the value, the threshold and the firms behind it (the rule's ``n_firms`` column).
A segment's **weakness level** is the number of rules that fire for it that year (0 = none); its
**severity** the largest ``severity`` among them. The segment rows are aggregated already (one row
per cluster × segment × year), so the rules run on a pandas frame.
"""

from __future__ import annotations

import math
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

DATA = Path(__file__).parent / "data"
COMPARISONS = {"above": lambda v, t: v > t, "at_least": lambda v, t: v >= t, "below": lambda v, t: v < t,
               "at_most": lambda v, t: v <= t, "equals": lambda v, t: v == t}
SYMBOLS = {"above": ">", "at_least": "≥", "below": "<", "at_most": "≤", "equals": "="}
#: Columns of a weak-link row.
WEAK_COLUMNS = ("cluster_id", "node_id", "segment", "name_zh", "year", "rule", "rule_zh", "rule_en", "severity",
                "value", "threshold", "comparison", "n_firms", "evidence_zh", "evidence_en")
#: Placeholders the templates may use besides the segment row's columns.
CONTEXT = ("value", "threshold", "value_pct", "threshold_pct", "n_firms", "scope", "purchases_yi", "moved_out_pct",
           "top_supplier")


@dataclass(frozen=True)
class WeakLinkRule:
    id: str
    name_zh: str
    name_en: str
    metric: str
    comparison: str
    threshold: float
    n_firms: str
    explanation_zh: str
    explanation_en: str
    severity: int = 1

    def fires(self, value) -> bool:
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
            return False
        return bool(COMPARISONS[self.comparison](float(value), float(self.threshold)))


def parse_rules(data: dict, columns=None) -> list[WeakLinkRule]:
    """Validate parsed rules: unique ids, a known comparison, a numeric threshold, templates whose
    placeholders are known; with ``columns`` (the segment rows' columns), ``metric``, ``n_firms`` and the
    placeholders must name columns or :data:`CONTEXT`."""
    rules, seen = [], set()
    for entry in data.get("weak_links", []):
        try:
            rule = WeakLinkRule(**entry)
        except TypeError as exc:
            raise ValueError(f"weak-link rule {entry.get('id', '?')!r}: {exc}") from None
        where = f"weak-link rule {rule.id!r}"
        if rule.id in seen:
            raise ValueError(f"{where}: duplicate id")
        seen.add(rule.id)
        if rule.comparison not in COMPARISONS:
            raise ValueError(f"{where}: comparison must be one of {tuple(COMPARISONS)}")
        if not isinstance(rule.threshold, (int, float)):
            raise ValueError(f"{where}: threshold must be a number")
        known = set(CONTEXT) | set(columns or ())
        for field in ("metric", "n_firms"):
            if columns is not None and getattr(rule, field) not in columns:
                raise ValueError(f"{where}: {field} {getattr(rule, field)!r} is not a segment column")
        for template in (rule.explanation_zh, rule.explanation_en):
            names = {f for _, f, _, _ in string.Formatter().parse(template) if f}
            unknown = sorted(n for n in names if n not in known) if columns is not None else \
                sorted(n for n in names if not n.isidentifier())
            if unknown:
                raise ValueError(f"{where}: unknown placeholder(s) {unknown} in {template!r}")
        rules.append(rule)
    return rules


@lru_cache(maxsize=4)
def load_rules(path: Path | None = None) -> tuple[WeakLinkRule, ...]:
    """The weak-link rules (default: the shipped ``weak_links.yaml``), validated."""
    from .tables import ZERO_FILLED

    with open(Path(path) if path else DATA / "weak_links.yaml", encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    rules = tuple(parse_rules(data))
    from .chainmap import SEGMENT_COLUMNS  # the columns the rules may read

    parse_rules(data, columns=set(SEGMENT_COLUMNS) | set(ZERO_FILLED))
    return rules


def pct(value) -> str:
    """A share as text: ``62.5%`` (``—`` when missing)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{float(value) * 100:.1f}%"


def _yi(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{float(value) / 1e8:,.2f}"


def evidence_context(row: dict, rule: WeakLinkRule, scope_name: str) -> dict:
    """The placeholder values of one segment row for ``rule``'s templates."""
    value = row.get(rule.metric)
    n_firms = row.get(rule.n_firms)
    return {**row, "value": float(value), "threshold": rule.threshold, "value_pct": pct(value),
            "threshold_pct": pct(rule.threshold), "n_firms": int(n_firms) if n_firms == n_firms else 0,
            "scope": scope_name, "purchases_yi": _yi(row.get("purchases_yuan")),
            "moved_out_pct": pct(row.get("moved_out_share")),
            "top_supplier": row.get("top_supplier") or "—"}


def evaluate_weak_links(segments: pd.DataFrame, rules=None, scope_name: str = "本地") -> pd.DataFrame:
    """Every rule on every segment row; one row per finding (:data:`WEAK_COLUMNS`), sorted by cluster,
    year, node and rule order.

    ``segments``: the node-level frame of :func:`jiqun.chains.chain_map` (``cluster_id, node_id,
    segment, name_zh, year`` and the rules' metric and ``n_firms`` columns)."""
    rules = list(load_rules() if rules is None else rules)
    rows = []
    records = segments.to_dict("records")
    for order, rule in enumerate(rules):
        for row in records:
            if not rule.fires(row.get(rule.metric)):
                continue
            ctx = evidence_context(row, rule, scope_name)
            rows.append({"cluster_id": row["cluster_id"], "node_id": row["node_id"], "segment": row["segment"],
                         "name_zh": row.get("name_zh", ""), "year": int(row["year"]), "rule": rule.id,
                         "rule_zh": rule.name_zh, "rule_en": rule.name_en, "severity": rule.severity,
                         "value": float(row[rule.metric]), "threshold": float(rule.threshold),
                         "comparison": SYMBOLS[rule.comparison], "n_firms": ctx["n_firms"],
                         "evidence_zh": rule.explanation_zh.format(**ctx),
                         "evidence_en": rule.explanation_en.format(**ctx), "_order": order})
    frame = pd.DataFrame(rows, columns=[*WEAK_COLUMNS, "_order"])
    frame = frame.astype({"year": "int64", "severity": "int64", "n_firms": "int64", "value": "float64",
                          "threshold": "float64"})
    return frame.sort_values(["cluster_id", "year", "node_id", "_order"]).drop(columns="_order").reset_index(drop=True)


def weakness(segments: pd.DataFrame, findings: pd.DataFrame) -> pd.DataFrame:
    """``segments`` with ``weakness`` (number of rules that fire, 0 = none), ``weakness_severity``
    (largest severity, 0 = none) and ``reasons`` (the rules' Chinese names, ``；``-separated)."""
    keys = ["cluster_id", "node_id", "year"]
    if findings.empty:
        return segments.assign(weakness=0, weakness_severity=0, reasons="")
    grouped = findings.groupby(keys, as_index=False).agg(
        weakness=("rule", "nunique"), weakness_severity=("severity", "max"), reasons=("rule_zh", "；".join))
    out = segments.drop(columns=[c for c in ("weakness", "weakness_severity", "reasons") if c in segments],
                        errors="ignore").merge(grouped, on=keys, how="left")
    return out.assign(weakness=out.weakness.fillna(0).astype("int64"),
                      weakness_severity=out.weakness_severity.fillna(0).astype("int64"),
                      reasons=out.reasons.fillna(""))
