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
    inds = scheme.indicators()
    present = values[values["indicator"].isin(inds)]
    if present.empty:
        raise EvaluationError("none of the scheme's indicators has values in the data")
    year = int(present["year"].max()) if year is None else int(year)
    units, x = pivot(values, inds, year)
    if len(units) < 2:
        raise EvaluationError(f"year {year}: {len(units)} unit(s) with values; an evaluation compares at least 2")
    notes: list[str] = []
    directions = np.array([scheme.item(j).direction for j in inds], dtype=float)
    x, imputed = impute(x, directions, scheme.missing, inds, notes)
    refs = dict(scheme.reference, **(reference or {}))
    bench = np.array([refs.get(j, np.nan) for j in inds])
    norms = [scheme.item(j).normalization for j in inds]
    r = normalise_columns(x, directions, norms, np.where(np.isnan(bench), 1.0, bench))
    col = {j: c for c, j in enumerate(inds)}

    flat: dict[str, dict[str, float]] = {}

    def score(did: str) -> np.ndarray:
        dim = scheme.dimensions[did]
        cols, raw_cols, dirs, subs = [], [], [], {}
        for it in dim.items:
            if it.kind == "indicator":
                cols.append(r[:, col[it.id]])
                raw_cols.append(x[:, col[it.id]])
                dirs.append(it.direction)
            else:
                s = score(it.id)
                subs[it.id] = s
                cols.append(s)
                raw_cols.append(s)
                dirs.append(1)
        w = compute_weights(dim.weighting, np.column_stack(raw_cols), np.array(dirs, float),
                            [it.weight for it in dim.items], notes, f"dimension {did}")
        flat[did] = {}
        for it, wi in zip(dim.items, w):
            if it.kind == "indicator":
                flat[did][it.id] = wi
            else:
                for j, wj in flat[it.id].items():
                    flat[did][j] = wi * wj
        return np.column_stack(cols) @ w

    dims = list(scheme.top)
    d_scores = np.column_stack([score(d) for d in dims])
    dim_w = compute_weights(scheme.dimension_weighting, d_scores, np.ones(len(dims)),
                            [scheme.dimensions[d].weight for d in dims], notes, "dimension_weighting")
    dim_of = np.empty(len(inds), dtype=int)
    eff = np.empty(len(inds))
    for k, d in enumerate(dims):
        for j, wj in flat[d].items():
            dim_of[col[j]] = k
            eff[col[j]] = dim_w[k] * wj
    eff = eff / eff.sum()
    if scheme.aggregation == "topsis":
        total = topsis(x, eff, directions, scheme.topsis_normalization)
    else:
        total = d_scores @ dim_w
    rank = ranks_of(total)
    types = [TYPES[t] for t in classify(d_scores, total, scheme.typology)]
    km = [str(t) for t in kmeans(d_scores)[0]] if scheme.kmeans and len(units) >= 3 else None

    n_draws = int(scheme.uncertainty["draws"] if draws is None else draws)
    mc = None
    if n_draws > 0:
        centres = [eff]
        for alt in scheme.uncertainty["alternative_weights"]:
            w_alt = np.zeros(len(inds))
            for k, d in enumerate(dims):
                cols_k = np.flatnonzero(dim_of == k)
                within = compute_weights(Weighting(alt), x[:, cols_k], directions[cols_k], [], notes, f"uncertainty {d}")
                w_alt[cols_k] = dim_w[k] * within
            centres.append(w_alt / w_alt.sum())
        mc = monte_carlo(x, directions, dim_of, np.unique(np.array(centres).round(15), axis=0),
                         normalizations=norms, references=np.where(np.isnan(bench), 1.0, bench),
                         methods=scheme.uncertainty["methods"], draws=n_draws,
                         concentration=float(scheme.uncertainty["concentration"]),
                         noise=float(scheme.uncertainty["noise"]), rules=scheme.typology,
                         seed=int(scheme.uncertainty["seed"] if seed is None else seed))

    ref_name = scheme.reference_name or ("user reference" if reference else "")
    ref_vals = np.where(np.isnan(bench), gapmod.best_peer(x, directions), bench)
    if np.isnan(bench).all():
        ref_name = "best national peer among the evaluated units"
    g = gapmod.indicator_gaps(x, directions, ref_vals)
    dg = gapmod.dimension_gaps(g, eff, dim_of, len(dims))

    names = names or Names({}, {})
    dnames = {d: names.dimensions.get(d, (scheme.dimensions[d].name_zh, scheme.dimensions[d].name_en)) for d in dims}
    inames = {j: names.indicators.get(j, (j, j)) for j in inds}
    full_names = Names(dnames, inames)
    third = thirds(d_scores)
    rules_met = rule_explanations(d_scores, total, scheme.typology, [dnames[d] for d in dims])
    expl = []
    unit_names = unit_names or {}
    for i, u in enumerate(units):
        zh, en = unit_names.get(u, (u[0], u[0]))
        interval = None if mc is None else (int(mc.rank_p05[i]), int(mc.rank_p95[i]))
        prob = None if mc is None else float(mc.type_probability[i, TYPES.index(types[i])])
        expl.append(explain(i, zh, en, types[i], int(rank[i]), float(total[i]), dims, d_scores, third, r, eff,
                            inds, dim_of, full_names, rules_met[i], interval, prob))
    return Evaluation(scheme, year, units, inds, directions, x, r, imputed, dims, dim_of, dim_w, eff, d_scores,
                      total, rank, types, km, mc, ref_vals, ref_name, g, dg, expl, vintage, notes, rules_met)


def evaluate_years(values: pd.DataFrame, scheme: Scheme, years=None, **kwargs) -> list[Evaluation]:
    """:func:`evaluate` for each year (default: every year with values), cross-section by cross-section."""
    inds = scheme.indicators()
    available = sorted(values.loc[values["indicator"].isin(inds), "year"].unique())
    return [evaluate(values, scheme, int(y), **kwargs) for y in (years or available)]
