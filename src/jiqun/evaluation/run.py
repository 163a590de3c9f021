"""An evaluation run: a long indicator table + a scheme -> scores, ranks, types, uncertainty, gaps.

Pure functions on pandas frames and numpy arrays (no I/O; :mod:`.store` reads the
store). Steps for one year:

1. pivot the long table (``cluster_id, region_code, year, indicator, value``) to units x
   indicators; impute missing cells by the scheme's ``missing`` rule (flagged);
2. normalise every indicator (benefit-oriented) and score each dimension as the weighted
   sum of its items (indicators or sub-dimensions) with the dimension's weighting;
3. weight the top-level dimensions; total = weighted sum of dimension scores, or TOPSIS
   over the raw indicators with the effective weights (dimension x indicator weight);
4. rank (1 = best), classify by the typology rules, and optionally k-means;
5. Monte Carlo over weights, methods and indicator noise (:mod:`.uncertainty`);
6. world-class gap (:mod:`.gap`) and explanations (:mod:`.explain`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import gap as gapmod
from .aggregate import topsis
from .explain import Names, dimension_ranks, explain, rule_explanations
from .scheme import Scheme, Weighting
from .typology import TYPES, classify, kmeans, thirds
from .uncertainty import MonteCarloResult, monte_carlo, normalise_columns, ranks_of
from .weights import (ahp_weights, combine_weights, critic_weights, entropy_weights, equal_weights,
                      fixed_weights)

UNIT_KEYS = ("cluster_id", "region_code")


class EvaluationError(ValueError):
    """The data cannot be evaluated with the scheme (e.g. an indicator has no values)."""


@dataclass
class Evaluation:
    """Result of :func:`evaluate` for one year (arrays in the order of ``units``)."""

    scheme: Scheme
    year: int
    units: list[tuple[str, str]]
    indicators: list[str]
    directions: np.ndarray
    raw: np.ndarray
    normalized: np.ndarray
    imputed: list[tuple[int, str]]
    dimensions: list[str]
    dimension_of: np.ndarray
    dimension_weights: np.ndarray
    indicator_weights: np.ndarray          # effective: dimension weight x weight within the dimension
    dimension_scores: np.ndarray
    score: np.ndarray
    rank: np.ndarray
    types: list[str]
    kmeans_types: list[str] | None
    mc: MonteCarloResult | None
    reference: np.ndarray
    reference_name: str
    gaps: np.ndarray
    dimension_gaps: np.ndarray
    explanations: list[tuple[str, str]]
    vintage: str = ""
    notes: list[str] = field(default_factory=list)
    rules: list[tuple[str, str]] = field(default_factory=list)   # the typology rule met, in words (zh, en)

    def records(self, unit_names: dict | None = None) -> list[dict]:
        """One JSON-ready dict per unit, best first."""
        unit_names = unit_names or {}
        out = []
        for i in np.argsort(self.rank, kind="stable"):
            cid, region = self.units[i]
            rec = {
                "cluster": cid, "region": region, "year": self.year,
                "name_zh": unit_names.get(self.units[i], (cid, cid))[0],
                "name_en": unit_names.get(self.units[i], (cid, cid))[1],
                "score": float(self.score[i]), "rank": int(self.rank[i]), "type": self.types[i],
                "dimensions": {d: float(self.dimension_scores[i, k]) for k, d in enumerate(self.dimensions)},
                "dimension_ranks": {d: int(r) for d, r in zip(self.dimensions, dimension_ranks(self.dimension_scores)[i])},
                "weakest_dimension": self.dimensions[int(np.argmin(self.dimension_scores[i]))],
                "explanation_zh": self.explanations[i][0], "explanation_en": self.explanations[i][1],
                "rule_zh": self.rules[i][0] if self.rules else None,
                "rule_en": self.rules[i][1] if self.rules else None,
                "kmeans_type": self.kmeans_types[i] if self.kmeans_types is not None else None,
                "imputed": [ind for u, ind in self.imputed if u == i],
                "largest_gaps": self.largest_gaps(i),
                "dimension_gaps": {d: _num(self.dimension_gaps[i, k]) for k, d in enumerate(self.dimensions)},
                "scheme": self.scheme.name, "scheme_sha256": self.scheme.sha256, "vintage": self.vintage,
            }
            if self.mc is not None:
                rec.update(rank_p05=int(self.mc.rank_p05[i]), rank_p95=int(self.mc.rank_p95[i]),
                           rank_median=float(self.mc.rank_median[i]),
                           type_probability={t: float(p) for t, p in zip(TYPES, self.mc.type_probability[i])})
            out.append(rec)
        return out

    def largest_gaps(self, i: int, count: int = 3) -> list[dict]:
        g = self.gaps[i]
        order = [j for j in np.argsort(-np.nan_to_num(g, nan=-1)) if np.isfinite(g[j]) and g[j] > 0][:count]
        return [{"indicator": self.indicators[j], "gap": float(g[j]), "value": float(self.raw[i, j]),
                 "reference": float(self.reference[j])} for j in order]


def _num(v):
    return None if not np.isfinite(v) else float(v)


def compute_weights(w: Weighting, matrix: np.ndarray, directions: np.ndarray, fixed: list, notes: list[str],
                    where: str) -> np.ndarray:
    """Weights of the columns of ``matrix`` by a scheme weighting (see :mod:`.weights`)."""
    m = matrix.shape[1]
    if w.method == "equal":
        return equal_weights(m)
    if w.method == "fixed":
        return fixed_weights(fixed)
    if w.method == "ahp":
        return np.asarray(ahp_weights(np.array(w.matrix), force=w.force))
    if w.method == "combined":
        parts = [compute_weights(p, matrix, directions, fixed, notes, where) for p in w.of]
        return combine_weights(*parts, method=w.rule, alpha=w.alpha)
    try:
        if w.method == "entropy":
            sum_variant = w.normalization == "sum"
            return entropy_weights(matrix, w.normalization, None if sum_variant else directions)
        return critic_weights(matrix, directions)
    except ValueError as exc:
        notes.append(f"{where}: {w.method} weights undefined ({exc}); equal weights used")
        return equal_weights(m)


def pivot(values: pd.DataFrame, indicators: list[str], year: int) -> tuple[list[tuple[str, str]], np.ndarray]:
    """Units (cluster_id, region_code) and their (n, m) matrix for ``year`` (NaN where absent)."""
    frame = values[(values["year"] == year) & values["indicator"].isin(indicators)]
    wide = frame.pivot_table(index=list(UNIT_KEYS), columns="indicator", values="value", aggfunc="first")
    wide = wide.reindex(columns=indicators).sort_index()
    return [tuple(u) for u in wide.index], wide.to_numpy(dtype=float)


def impute(x: np.ndarray, directions: np.ndarray, rule: str, indicators: list[str], notes: list[str]):
    """Fill missing cells: column median, the worst observed value, or refuse."""
    missing = np.argwhere(np.isnan(x))
    if missing.size and rule == "error":
        i, j = missing[0]
        raise EvaluationError(f"{len(missing)} missing value(s), e.g. unit #{i} lacks {indicators[j]!r} "
                              "(set missing: median or worst in the scheme)")
    x = x.copy()
    for j in range(x.shape[1]):
        col = x[:, j]
        if np.all(np.isnan(col)):
            notes.append(f"indicator {indicators[j]} has no values: treated as uninformative (constant)")
            x[:, j] = 0.0
            continue
        if np.isnan(col).any():
            fill = np.nanmedian(col) if rule == "median" else (np.nanmin(col) if directions[j] > 0 else np.nanmax(col))
            x[np.isnan(col), j] = fill
    return x, [(int(i), indicators[j]) for i, j in missing]


def evaluate(values: pd.DataFrame, scheme: Scheme, year: int | None = None, *, names: Names | None = None,
             unit_names: dict | None = None, reference: dict | None = None, vintage: str = "",
             draws: int | None = None, seed: int | None = None) -> Evaluation:
    """Evaluate every unit (cluster, or cluster x region) of ``values`` for one year.

    Parameters
    ----------
    values : pandas.DataFrame
        Long table with ``cluster_id, region_code, year, indicator, value`` (the units to
        compare, already filtered to one geographic level).
    scheme : Scheme
    year : int, optional
        Default: the latest year with values of the scheme's indicators.
    names : Names, optional
        Display names of dimensions and indicators (default: ids).
    unit_names : dict, optional
        (cluster_id, region_code) -> (Chinese, English) display names.
    reference : dict, optional
        World-class profile indicator -> value (default: the scheme's, else the best peer).
    draws, seed : int, optional
        Monte Carlo draws (0 to skip) and seed; default from the scheme.
    """
    indicators = scheme.indicators()
    present = values[values["indicator"].isin(indicators)]
    if present.empty:
        raise EvaluationError("none of the scheme's indicators has values in the data")
    year = int(present["year"].max()) if year is None else int(year)
    units, raw = pivot(values, indicators, year)
    if len(units) < 2:
        raise EvaluationError(f"year {year}: {len(units)} unit(s) with values; an evaluation compares at least 2")
    notes: list[str] = []
    directions = np.array([scheme.item(indicator).direction for indicator in indicators], dtype=float)
    raw, imputed = impute(raw, directions, scheme.missing, indicators, notes)
    profile = dict(scheme.reference, **(reference or {}))
    benchmark = np.array([profile.get(indicator, np.nan) for indicator in indicators])
    normalizations = [scheme.item(indicator).normalization for indicator in indicators]
    normalised = normalise_columns(raw, directions, normalizations, _benchmark_or_one(benchmark))
    column_of = {indicator: column for column, indicator in enumerate(indicators)}

    dimensions = list(scheme.top)
    dimension_scores, flat_weights = _score_dimensions(scheme, dimensions, raw, normalised, column_of, notes)
    dimension_weights = compute_weights(scheme.dimension_weighting, dimension_scores, np.ones(len(dimensions)),
                                        [scheme.dimensions[dimension].weight for dimension in dimensions], notes,
                                        "dimension_weighting")
    dimension_of, effective_weights = _effective_weights(dimensions, flat_weights, dimension_weights, column_of)
    if scheme.aggregation == "topsis":
        total = topsis(raw, effective_weights, directions, scheme.topsis_normalization)
    else:
        total = dimension_scores @ dimension_weights
    rank = ranks_of(total)
    types = [TYPES[type_code] for type_code in classify(dimension_scores, total, scheme.typology)]
    kmeans_types = ([str(group) for group in kmeans(dimension_scores)[0]] if scheme.kmeans and len(units) >= 3
                    else None)
    uncertainty = _uncertainty(scheme, raw, directions, normalizations, benchmark, dimensions, dimension_of,
                               dimension_weights, effective_weights, draws, seed, notes)
    reference_values, reference_name = _reference_profile(scheme, reference, benchmark, raw, directions)
    gaps = gapmod.indicator_gaps(raw, directions, reference_values)
    dimension_gaps = gapmod.dimension_gaps(gaps, effective_weights, dimension_of, len(dimensions))

    evaluation = Evaluation(scheme, year, units, indicators, directions, raw, normalised, imputed, dimensions,
                            dimension_of, dimension_weights, effective_weights, dimension_scores, total, rank,
                            types, kmeans_types, uncertainty, reference_values, reference_name, gaps,
                            dimension_gaps, [], vintage, notes, [])
    evaluation.explanations, evaluation.rules = _explanations(evaluation, names, unit_names)
    return evaluation


def _benchmark_or_one(benchmark: np.ndarray) -> np.ndarray:
    """The reference value of each indicator for benchmark normalisation (1 where there is none)."""
    return np.where(np.isnan(benchmark), 1.0, benchmark)


def _score_dimensions(scheme: Scheme, dimensions: list[str], raw: np.ndarray, normalised: np.ndarray,
                      column_of: dict[str, int], notes: list[str]) -> tuple[np.ndarray, dict[str, dict[str, float]]]:
    """Scores (n, len(dimensions)) of the top-level ``dimensions`` and every dimension's flattened weights.

    The flattened weights map each dimension id to {indicator id: weight of the indicator within the
    dimension}, a sub-dimension's indicators weighted by the sub-dimension's weight times their own.
    """
    flat_weights: dict[str, dict[str, float]] = {}
    scores = [_score_dimension(scheme, d, raw, normalised, column_of, flat_weights, notes) for d in dimensions]
    return np.column_stack(scores), flat_weights


def _score_dimension(scheme: Scheme, dimension_id: str, raw: np.ndarray, normalised: np.ndarray,
                     column_of: dict[str, int], flat_weights: dict[str, dict[str, float]],
                     notes: list[str]) -> np.ndarray:
    """Score (n,) of one dimension: the weighted sum of its items' normalised values or scores.

    Sub-dimensions are scored first (recursively); the dimension's weighting sees the raw
    indicator values and the sub-dimension scores. Fills ``flat_weights[dimension_id]``.
    """
    dimension = scheme.dimensions[dimension_id]
    item_scores, item_values, item_directions = [], [], []
    for item in dimension.items:
        if item.kind == "indicator":
            item_scores.append(normalised[:, column_of[item.id]])
            item_values.append(raw[:, column_of[item.id]])
            item_directions.append(item.direction)
        else:
            sub_score = _score_dimension(scheme, item.id, raw, normalised, column_of, flat_weights, notes)
            item_scores.append(sub_score)
            item_values.append(sub_score)
            item_directions.append(1)
    item_weights = compute_weights(dimension.weighting, np.column_stack(item_values),
                                   np.array(item_directions, float), [item.weight for item in dimension.items],
                                   notes, f"dimension {dimension_id}")
    flattened: dict[str, float] = {}
    for item, item_weight in zip(dimension.items, item_weights):
        if item.kind == "indicator":
            flattened[item.id] = item_weight
        else:
            for indicator, weight_within in flat_weights[item.id].items():
                flattened[indicator] = item_weight * weight_within
    flat_weights[dimension_id] = flattened
    return np.column_stack(item_scores) @ item_weights


def _effective_weights(dimensions: list[str], flat_weights: dict[str, dict[str, float]],
                       dimension_weights: np.ndarray, column_of: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(top-level dimension of each indicator, effective indicator weights summing to 1).

    The effective weight of an indicator is its dimension's weight times its flattened weight
    within the dimension.
    """
    dimension_of = np.empty(len(column_of), dtype=int)
    effective_weights = np.empty(len(column_of))
    for dimension_index, dimension in enumerate(dimensions):
        for indicator, weight_within in flat_weights[dimension].items():
            dimension_of[column_of[indicator]] = dimension_index
            effective_weights[column_of[indicator]] = dimension_weights[dimension_index] * weight_within
    return dimension_of, effective_weights / effective_weights.sum()


def _uncertainty(scheme: Scheme, raw: np.ndarray, directions: np.ndarray, normalizations: list[str],
                 benchmark: np.ndarray, dimensions: list[str], dimension_of: np.ndarray,
                 dimension_weights: np.ndarray, effective_weights: np.ndarray, draws: int | None,
                 seed: int | None, notes: list[str]) -> MonteCarloResult | None:
    """Monte Carlo of ranks and types around the effective weights and the scheme's alternative
    weightings (None when the number of draws is 0)."""
    settings = scheme.uncertainty
    n_draws = int(settings["draws"] if draws is None else draws)
    if n_draws <= 0:
        return None
    centres = [effective_weights]
    for alternative in settings["alternative_weights"]:
        alternative_weights = np.zeros(len(directions))
        for dimension_index, dimension in enumerate(dimensions):
            columns = np.flatnonzero(dimension_of == dimension_index)
            within = compute_weights(Weighting(alternative), raw[:, columns], directions[columns], [], notes,
                                     f"uncertainty {dimension}")
            alternative_weights[columns] = dimension_weights[dimension_index] * within
        centres.append(alternative_weights / alternative_weights.sum())
    return monte_carlo(raw, directions, dimension_of, np.unique(np.array(centres).round(15), axis=0),
                       normalizations=normalizations, references=_benchmark_or_one(benchmark),
                       methods=settings["methods"], draws=n_draws,
                       concentration=float(settings["concentration"]), noise=float(settings["noise"]),
                       rules=scheme.typology, seed=int(settings["seed"] if seed is None else seed))


def _reference_profile(scheme: Scheme, reference: dict | None, benchmark: np.ndarray, raw: np.ndarray,
                       directions: np.ndarray) -> tuple[np.ndarray, str]:
    """(reference value of each indicator, name of the reference) for the world-class gaps.

    An indicator without a value in the scheme's or the user's profile is compared with the
    best peer among the evaluated units.
    """
    reference_name = scheme.reference_name or ("user reference" if reference else "")
    reference_values = np.where(np.isnan(benchmark), gapmod.best_peer(raw, directions), benchmark)
    if np.isnan(benchmark).all():
        reference_name = "best national peer among the evaluated units"
    return reference_values, reference_name


def _explanations(evaluation: Evaluation, names: Names | None,
                  unit_names: dict | None) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """((Chinese, English) explanation of each unit, the typology rule each unit met in words)."""
    scheme, dimensions, uncertainty = evaluation.scheme, evaluation.dimensions, evaluation.mc
    names = names or Names({}, {})
    dimension_names = {dimension: names.dimensions.get(dimension, (scheme.dimensions[dimension].name_zh,
                                                                   scheme.dimensions[dimension].name_en))
                       for dimension in dimensions}
    indicator_names = {indicator: names.indicators.get(indicator, (indicator, indicator))
                       for indicator in evaluation.indicators}
    full_names = Names(dimension_names, indicator_names)
    dimension_thirds = thirds(evaluation.dimension_scores)
    rules_met = rule_explanations(evaluation.dimension_scores, evaluation.score, scheme.typology,
                                  [dimension_names[dimension] for dimension in dimensions])
    unit_names = unit_names or {}
    explanations = []
    for i, unit in enumerate(evaluation.units):
        name_zh, name_en = unit_names.get(unit, (unit[0], unit[0]))
        type_ = evaluation.types[i]
        interval = None if uncertainty is None else (int(uncertainty.rank_p05[i]), int(uncertainty.rank_p95[i]))
        probability = (None if uncertainty is None
                       else float(uncertainty.type_probability[i, TYPES.index(type_)]))
        explanations.append(explain(i, name_zh, name_en, type_, int(evaluation.rank[i]), float(evaluation.score[i]),
                                    dimensions, evaluation.dimension_scores, dimension_thirds,
                                    evaluation.normalized, evaluation.indicator_weights, evaluation.indicators,
                                    evaluation.dimension_of, full_names, rules_met[i], interval, probability))
    return explanations, rules_met


def evaluate_years(values: pd.DataFrame, scheme: Scheme, years=None, **kwargs) -> list[Evaluation]:
    """:func:`evaluate` for each year (default: every year with values), cross-section by cross-section."""
    indicators = scheme.indicators()
    available = sorted(values.loc[values["indicator"].isin(indicators), "year"].unique())
    return [evaluate(values, scheme, int(y), **kwargs) for y in (years or available)]
