r"""Rank uncertainty by Monte Carlo, vectorised over draws.

Each draw :math:`d` perturbs three things at once:

* **indicator values** — relative measurement error,
  :math:`\tilde x_{ij} = x_{ij}\exp(\sigma\varepsilon_{ij} - \sigma^2/2)`,
  :math:`\varepsilon \sim N(0, 1)` (``noise`` = :math:`\sigma`; sign and zeros kept);
* **weights** — a centre :math:`\bar w` is picked from ``centres`` (the scheme's weights and,
  optionally, alternative weightings) and the draw is
  :math:`w \sim \mathrm{Dirichlet}(\kappa\bar w)`, whose mean is :math:`\bar w` and
  variance :math:`\bar w_j(1-\bar w_j)/(\kappa+1)` (``concentration`` = :math:`\kappa`;
  zero weights stay zero);
* **aggregation method** — picked uniformly from ``methods``
  (``weighted_sum``, ``topsis_vector``, ``topsis_minmax``).

Dimension scores are the weight-averaged normalised indicators of each dimension,
:math:`D_{ik} = \sum_{j\in k} w_j r_{ij} / \sum_{j \in k} w_j`, and the type of each unit is
re-derived from them in every draw with the same rules (:func:`.typology.classify`).

Reported: each unit's rank distribution (median, 5-95 % interval, min, max), the
probability of each type, and :math:`P(i \text{ ranks above } j)` for every pair — a
pair whose probability lies between 0.2 and 0.8 has no meaningful order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .aggregate import topsis_stack
from .normalize import normalize
from .typology import TYPES, TypologyRules, classify

METHODS = ("weighted_sum", "topsis_vector", "topsis_minmax")


@dataclass
class MonteCarloResult:
    """Summary of the rank distribution over draws (units in the order of the input rows)."""

    draws: int
    rank_median: np.ndarray
    rank_p05: np.ndarray
    rank_p95: np.ndarray
    rank_min: np.ndarray
    rank_max: np.ndarray
    type_probability: np.ndarray  # (n, 3) in the order of TYPES
    p_above: np.ndarray  # (n, n): share of draws in which row unit outranks column unit

    def ambiguous_pairs(self, low: float = 0.2, high: float = 0.8) -> list[tuple[int, int, float]]:
        """Pairs (i, j, P(i above j)) with i < j whose order is not robust."""
        n = self.p_above.shape[0]
        return [(i, j, float(self.p_above[i, j])) for i in range(n) for j in range(i + 1, n)
                if low <= self.p_above[i, j] <= high]


def normalise_columns(x: np.ndarray, directions: np.ndarray, methods, references=None) -> np.ndarray:
    """Normalise each column of ``x`` (..., n, m) with its own method (grouped, vectorised)."""
    methods = np.asarray(methods)
    out = np.empty(x.shape)
    for method in np.unique(methods):
        cols = np.flatnonzero(methods == method)
        ref = None if references is None else np.asarray(references, float)[cols]
        out[..., cols] = normalize(x[..., cols], str(method), directions[cols], reference=ref)
    return out


def ranks_of(scores: np.ndarray) -> np.ndarray:
    """Rank 1 = best (highest score) along the last axis; ties broken by order."""
    order = np.argsort(-scores, axis=-1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, scores.shape[-1] + 1), axis=-1)
    return ranks


def monte_carlo(raw, directions, dimension_of, centres, *, normalizations="minmax", references=None,
                methods=METHODS, draws: int = 10_000, concentration: float = 200.0, noise: float = 0.05,
                centre_probabilities=None, rules: TypologyRules = TypologyRules(), seed: int = 0,
                chunk: int = 2_500) -> MonteCarloResult:
    """Monte Carlo of ranks and types.

    Parameters
    ----------
    raw : array_like, shape (n, m)
        Raw indicator values (no missing values).
    directions : array_like, shape (m,)
        +1 benefit / -1 cost.
    dimension_of : array_like of int, shape (m,)
        Index of the (top-level) dimension of each indicator, 0..K-1.
    centres : array_like, shape (C, m) or (m,)
        Effective indicator weights (each row sums to 1) around which weights are drawn.
    normalizations : str or sequence of str
        Per-column normalisation for dimension scores and the weighted sum.
    methods : sequence of str
        Aggregation methods drawn uniformly, from :data:`METHODS`.
    draws, concentration, noise, seed
        Number of draws, Dirichlet concentration :math:`\\kappa`, relative noise :math:`\\sigma`, RNG seed.
    centre_probabilities : array_like, optional
        Probability of each centre (default uniform).
    chunk : int
        Draws processed at once (bounds memory to ~chunk x n x m doubles per array).
    """
    x = np.asarray(raw, dtype=float)
    n, m = x.shape
    sign = np.asarray(directions, dtype=float)
    dim = np.asarray(dimension_of, dtype=int)
    k = int(dim.max()) + 1
    member = np.zeros((m, k))
    member[np.arange(m), dim] = 1.0
    centre_weights = np.atleast_2d(np.asarray(centres, dtype=float))
    centre_p = (np.full(len(centre_weights), 1 / len(centre_weights)) if centre_probabilities is None
                else np.asarray(centre_probabilities, float))
    norms = [normalizations] * m if isinstance(normalizations, str) else list(normalizations)
    unknown = set(methods) - set(METHODS)
    if unknown:
        raise ValueError(f"unknown aggregation method(s) {sorted(unknown)}; use {', '.join(METHODS)}")
    rng = np.random.default_rng(seed)

    ranks_all = np.empty((draws, n), dtype=np.int64)
    types_all = np.empty((draws, n), dtype=np.int8)
    above = np.zeros((n, n))
    for start in range(0, draws, chunk):
        batch = min(chunk, draws - start)
        noisy = (x * np.exp(noise * rng.standard_normal((batch, n, m)) - noise ** 2 / 2) if noise > 0
                 else np.broadcast_to(x, (batch, n, m)))
        centre = centre_weights[rng.choice(len(centre_weights), size=batch, p=centre_p)]
        alpha = concentration * centre
        gamma = np.where(alpha > 0, rng.standard_gamma(np.where(alpha > 0, alpha, 1.0)), 0.0)
        w = gamma / gamma.sum(axis=1, keepdims=True)
        r = normalise_columns(noisy, sign, norms, references)
        weighted = r * w[:, None, :]
        wsum_dim = w @ member  # (batch, K)
        dims = np.divide(weighted @ member, wsum_dim[:, None, :], out=np.zeros((batch, n, k)),
                         where=wsum_dim[:, None, :] > 0)
        which = rng.integers(len(methods), size=batch)
        scores = weighted.sum(axis=-1)
        for position, method in enumerate(methods):
            chosen = which == position
            if not chosen.any() or method == "weighted_sum":
                continue
            scores[chosen] = topsis_stack(noisy[chosen], w[chosen], sign,
                                          "vector" if method == "topsis_vector" else "minmax")
        ranks_all[start:start + batch] = ranks_of(scores)
        types_all[start:start + batch] = classify(dims, scores, rules)
        above += (scores[:, :, None] > scores[:, None, :]).sum(axis=0)

    pct = np.percentile(ranks_all, [5, 50, 95], axis=0)
    type_p = np.stack([(types_all == type_index).mean(axis=0) for type_index in range(len(TYPES))], axis=1)
    return MonteCarloResult(draws, pct[1], pct[0], pct[2], ranks_all.min(0), ranks_all.max(0), type_p,
                            above / draws)


__all__ = ["METHODS", "MonteCarloResult", "monte_carlo", "ranks_of", "normalise_columns"]
