r"""Typology: leading (引领型), breakthrough (突破型) and catch-up (赶超型) clusters.

Rules (all thresholds are quantiles across the units being compared, i.e. the units of
one evaluation: the 14 clusters province-wide, or every cluster x city unit at city
level; linear interpolation, numpy's default; every function accepts a leading batch
axis so the Monte Carlo can classify all draws at once). With dimension scores
:math:`D_{ik}` and totals :math:`S_i`:

* **bottom of the totals** — :math:`S_i \le Q_S(q_{bottom})`: always catch-up, whatever
  its dimensions (a low-ranked cluster is never called leading or breakthrough); off when
  :math:`q_{bottom} = 0`;
* **leading** — :math:`S_i \ge Q_S(q_{lead})` (total in the top group) and no dimension in
  the bottom group: :math:`D_{ik} > Q_{D_k}(q_{floor})` for every :math:`k`;
* **breakthrough** — not leading, not in the bottom of the totals, at least one dimension in
  the top group :math:`D_{ik} \ge Q_{D_k}(q_{top})` (突出优势) and a clear shortfall elsewhere
  :math:`D_{il} \le Q_{D_l}(q_{short})` for some :math:`l` (明显短板);
* **catch-up** — the rest.

Defaults: :math:`q_{lead} = q_{top} = 2/3`, :math:`q_{bottom} = q_{floor} = q_{short} = 1/3`
(top and bottom thirds). A value equal to a bottom threshold counts as in the bottom group
(so units tied at a dimension's minimum are short on it); a dimension on which every unit
scores the same is neither a strength nor a shortfall of anyone.

The data-driven check :func:`kmeans` groups the dimension-score profiles into three
clusters (Lloyd's algorithm, k-means++ starts, best of ``n_init``) and names the groups
by their centroids: the highest mean is "leading", of the other two the one with the
larger spread between its best and worst dimension is "breakthrough".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TYPES = ("leading", "breakthrough", "catch_up")
TYPES_ZH = {"leading": "引领型", "breakthrough": "突破型", "catch_up": "赶超型"}


@dataclass(frozen=True)
class TypologyRules:
    """Quantile thresholds of the rules (see the module docstring)."""

    leading_total_quantile: float = 2 / 3
    leading_dimension_floor: float = 1 / 3
    breakthrough_top_quantile: float = 2 / 3
    breakthrough_shortfall_quantile: float = 1 / 3
    bottom_total_quantile: float = 1 / 3

    def __post_init__(self):
        for name, value in self.__dict__.items():
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"typology threshold {name} must lie in [0, 1], got {value}")
        if self.bottom_total_quantile > self.leading_total_quantile:
            raise ValueError(f"typology: bottom_total_quantile ({self.bottom_total_quantile}) must not exceed "
                             f"leading_total_quantile ({self.leading_total_quantile})")


@dataclass(frozen=True)
class Thresholds:
    """Rule thresholds among the compared units (batch axes kept, units axis of length 1).

    ``total_leading`` / ``total_bottom`` have shape (..., 1); the dimension thresholds
    ``floor``, ``top`` and ``short`` have shape (..., 1, K); ``spread`` (..., 1, K) is True
    where a dimension varies among the units.
    """

    total_leading: np.ndarray
    total_bottom: np.ndarray
    floor: np.ndarray
    top: np.ndarray
    short: np.ndarray
    spread: np.ndarray


@dataclass(frozen=True)
class RuleTests:
    """Outcome of every rule test per unit (shapes (..., n) or (..., n, K))."""

    total_top: np.ndarray          # total in the leading group
    total_bottom: np.ndarray       # total in the bottom group
    below_floor: np.ndarray        # (..., n, K) dimension in the bottom group (leading floor)
    strength: np.ndarray           # (..., n, K) dimension in the top group (突出优势)
    shortfall: np.ndarray          # (..., n, K) dimension in the shortfall group (明显短板)


def thresholds(dimension_scores, total, rules: TypologyRules = TypologyRules()) -> Thresholds:
    """Quantile thresholds of the rules among the units (axis -2 of the scores, -1 of the totals)."""
    scores = np.asarray(dimension_scores, dtype=float)
    totals = np.asarray(total, dtype=float)
    return Thresholds(
        total_leading=np.quantile(totals, rules.leading_total_quantile, axis=-1, keepdims=True),
        total_bottom=np.quantile(totals, rules.bottom_total_quantile, axis=-1, keepdims=True),
        floor=np.quantile(scores, rules.leading_dimension_floor, axis=-2, keepdims=True),
        top=np.quantile(scores, rules.breakthrough_top_quantile, axis=-2, keepdims=True),
        short=np.quantile(scores, rules.breakthrough_shortfall_quantile, axis=-2, keepdims=True),
        spread=np.ptp(scores, axis=-2, keepdims=True) > 1e-12,
    )


def rule_tests(dimension_scores, total, rules: TypologyRules = TypologyRules()) -> RuleTests:
    """Every test the rules make, per unit (vectorised like :func:`classify`)."""
    scores = np.asarray(dimension_scores, dtype=float)
    totals = np.asarray(total, dtype=float)
    limits = thresholds(scores, totals, rules)
    bottom = ((totals <= limits.total_bottom) if rules.bottom_total_quantile > 0
              else np.zeros(totals.shape, dtype=bool))
    return RuleTests(total_top=totals >= limits.total_leading, total_bottom=bottom,
                     below_floor=limits.spread & (scores <= limits.floor),
                     strength=limits.spread & (scores >= limits.top),
                     shortfall=limits.spread & (scores <= limits.short))


def classify(dimension_scores, total, rules: TypologyRules = TypologyRules()) -> np.ndarray:
    """Type codes (0 leading, 1 breakthrough, 2 catch-up; index into :data:`TYPES`).

    Parameters
    ----------
    dimension_scores : array_like, shape (..., n, K)
    total : array_like, shape (..., n)
    rules : TypologyRules

    Returns
    -------
    numpy.ndarray of int, shape (..., n)
    """
    tests = rule_tests(dimension_scores, total, rules)
    eligible = ~tests.total_bottom
    leading = eligible & tests.total_top & ~np.any(tests.below_floor, axis=-1)
    breakthrough = eligible & ~leading & np.any(tests.strength, axis=-1) & np.any(tests.shortfall, axis=-1)
    return np.where(leading, 0, np.where(breakthrough, 1, 2))


def thirds(values, axis: int = -2) -> np.ndarray:
    """Position of each value among the units: 2 top third, 0 bottom third, 1 middle (ties as the rules)."""
    values = np.asarray(values, dtype=float)
    lower_third = np.quantile(values, 1 / 3, axis=axis, keepdims=True)
    upper_third = np.quantile(values, 2 / 3, axis=axis, keepdims=True)
    spread = np.ptp(values, axis=axis, keepdims=True) > 1e-12
    return np.where(spread & (values >= upper_third), 2, np.where(spread & (values <= lower_third), 0, 1))


def _kmeans_once(points: np.ndarray, k: int, rng: np.random.Generator, iters: int = 100):
    """One k-means run (k-means++ start, Lloyd iterations): (labels, centres, inertia)."""
    n = points.shape[0]
    seeds = [points[rng.integers(n)]]
    for _ in range(1, k):  # k-means++
        distance2 = np.min(((points[:, None, :] - np.array(seeds)[None]) ** 2).sum(-1), axis=1)
        p_seed = distance2 / distance2.sum() if distance2.sum() > 0 else np.full(n, 1 / n)
        seeds.append(points[rng.choice(n, p=p_seed)])
    centres = np.array(seeds)
    labels = np.zeros(n, dtype=int)
    for _ in range(iters):
        labels_new = np.argmin(((points[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
        centres_new = np.array([points[labels_new == group].mean(0) if np.any(labels_new == group) else centres[group]
                                for group in range(k)])
        if np.array_equal(labels_new, labels) and np.allclose(centres_new, centres):
            break
        labels, centres = labels_new, centres_new
    inertia = ((points - centres[labels]) ** 2).sum()
    return labels, centres, inertia


def kmeans(dimension_scores, k: int = 3, n_init: int = 10, seed: int = 0):
    """k-means on the dimension-score profiles, groups named like the rule types.

    Returns
    -------
    (types, centres) : (numpy.ndarray of str, shape (n,)), numpy.ndarray shape (k, K)
        ``types`` holds "leading", "breakthrough" or "catch_up" per unit (for ``k = 3``).
    """
    profiles = np.asarray(dimension_scores, dtype=float)
    if profiles.shape[0] < k:
        raise ValueError(f"k-means needs at least {k} units, got {profiles.shape[0]}")
    rng = np.random.default_rng(seed)
    best = min((_kmeans_once(profiles, k, rng) for _ in range(n_init)), key=lambda run: run[2])  # least inertia
    labels, centres, _ = best
    order = np.argsort(-centres.mean(axis=1))
    names = {int(order[0]): "leading"}
    rest = order[1:]
    spread = centres[rest].max(axis=1) - centres[rest].min(axis=1)
    for group, name in zip(rest[np.argsort(-spread)], ("breakthrough", "catch_up")):
        names[int(group)] = name
    return np.array([names.get(int(label), "catch_up") for label in labels]), centres
