r"""Aggregation of criteria into one score: weighted sum, TOPSIS and the GEM model.

TOPSIS (Hwang & Yoon 1981)
--------------------------
For raw values :math:`x_{ij}`, weights :math:`w_j` and directions :math:`d_j \in \{+1,-1\}`:

1. normalise: ``"vector"`` (textbook) :math:`r_{ij} = x_{ij}/\sqrt{\sum_i x_{ij}^2}`, or
   ``"minmax"`` :math:`r_{ij} = (x_{ij} - \min_i x_{ij})/(\max_i x_{ij} - \min_i x_{ij})`;
2. weight: :math:`v_{ij} = w_j r_{ij}`;
3. ideal :math:`v_j^+ = \max_i v_{ij}` for benefit, :math:`\min_i v_{ij}` for cost;
   anti-ideal :math:`v_j^-` the opposite;
4. :math:`D_i^\pm = \sqrt{\sum_j (v_{ij} - v_j^\pm)^2}`, closeness
   :math:`C_i = D_i^- / (D_i^+ + D_i^-) \in [0, 1]`.

If every alternative is identical (:math:`D^+ = D^- = 0`) the closeness is 0.5.
Note that pymcdm's ``TOPSIS()`` defaults to min-max normalisation; it flips cost
columns to :math:`1 - r` and then takes the maximum as ideal, which gives the same
distances as step 3.

GEM (Padmore & Gibson 1998)
---------------------------
Six determinants scored 1-10 in three pairs — Groundings (resources, infrastructure),
Enterprises (supplier & related firms; firm structure, strategy & rivalry), Markets
(local markets, external markets). With pair sums :math:`PS_k = D_{k1} + D_{k2}`:

.. math:: GEM = 2.5\,(PS_1 \cdot PS_2 \cdot PS_3)^{2/3}.

This is the formula as commonly cited. With every determinant at 10 each pair sum is
20 and the score is :math:`2.5 \cdot 8000^{2/3} = 1000`; a cluster scoring 5 on all six
scores 250 and one scoring 1 on all six scores 10. The "maximum 250" sometimes quoted
(also in our design brief) is therefore not consistent with the formula: 250 is the
all-fives (middling) cluster. We implement the formula, whose range is [10, 1000],
and return ``gem / 1000`` alongside for a 0-1 scale (:func:`gem_score`).
"""

from __future__ import annotations

import numpy as np

from ._checks import as_directions, as_matrix, as_weights
from .normalize import minmax as _minmax

# Local names follow the formulas: x raw values, r = r_ij, w = w_j, v = the weighted matrix of TOPSIS,
# d_plus / d_minus = D_i^+ / D_i^-; sign = +1 benefit / -1 cost.

GEM_FACTORS = ("resources", "infrastructure", "supplier_related_firms", "firm_structure_strategy_rivalry",
               "local_markets", "external_markets")
GEM_MAX = 1000.0


def weighted_sum(normalized, weights) -> np.ndarray:
    r"""Simple additive weighting :math:`S_i = \sum_j w_j r_{ij}` of benefit-oriented normalised values.

    ``normalized`` may be ``(n, m)`` or a stack ``(draws, n, m)``; ``weights`` ``(m,)``
    or ``(draws, m)``.
    """
    r = np.asarray(normalized, dtype=float)
    w = np.asarray(weights, dtype=float)
    return np.einsum("...ij,...j->...i", r, w)


def _topsis_core(r: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Closeness for benefit-oriented ``r`` (..., n, m) and weights (..., m)."""
    v = r * w[..., None, :]
    ideal = v.max(axis=-2, keepdims=True)
    anti = v.min(axis=-2, keepdims=True)
    d_plus = np.sqrt(((v - ideal) ** 2).sum(axis=-1))
    d_minus = np.sqrt(((v - anti) ** 2).sum(axis=-1))
    total = d_plus + d_minus
    return np.divide(d_minus, total, out=np.full(total.shape, 0.5), where=total > 0)


def topsis_stack(matrix, weights, directions, normalization: str = "vector") -> np.ndarray:
    """TOPSIS closeness for a stack of matrices ``(..., n, m)`` and weights ``(..., m)`` (no checks)."""
    x = np.asarray(matrix, dtype=float)
    sign = np.asarray(directions, dtype=float)
    if normalization == "vector":
        norm = np.sqrt((x * x).sum(axis=-2, keepdims=True))
        r = np.divide(x, norm, out=np.zeros(x.shape), where=norm > 0)
        r = np.where(sign > 0, r, 1.0 - r)  # affine flip: same distances as taking the minimum as ideal
    elif normalization == "minmax":
        r = _minmax(x, sign)
    else:
        raise ValueError(f'TOPSIS normalization must be "vector" or "minmax", got {normalization!r}')
    return _topsis_core(r, np.asarray(weights, dtype=float))


def topsis(matrix, weights, directions, normalization: str = "vector") -> np.ndarray:
    """TOPSIS closeness coefficients :math:`C_i = D_i^-/(D_i^+ + D_i^-)`.

    Parameters
    ----------
    matrix : array_like, shape (n, m)
        Raw values, alternatives in rows.
    weights : array_like, shape (m,)
        Non-negative criteria weights summing to 1.
    directions : array_like, shape (m,)
        +1 for a benefit criterion, -1 for a cost criterion.
    normalization : {"vector", "minmax"}
        ``"vector"`` is textbook TOPSIS (Hwang & Yoon); ``"minmax"`` is pymcdm's default.

    Returns
    -------
    numpy.ndarray, shape (n,)
        Closeness in [0, 1]; higher is better.
    """
    x = as_matrix(matrix)
    w = as_weights(weights, x.shape[1])
    sign = as_directions(directions, x.shape[1])
    if normalization == "vector" and np.any(x < 0):
        raise ValueError("vector normalisation needs non-negative values; use normalization='minmax'")
    return topsis_stack(x, w, sign, normalization)


def gem_score(factors) -> np.ndarray:
    """GEM score of Padmore & Gibson from six determinant scores (1-10) per cluster.

    Parameters
    ----------
    factors : array_like, shape (6,) or (n, 6)
        Scores in the order of :data:`GEM_FACTORS`.

    Returns
    -------
    numpy.ndarray
        :math:`2.5 (PS_1 PS_2 PS_3)^{2/3}` in [10, 1000] (see the module docstring on the
        maximum); shape () or (n,).
    """
    scores = np.asarray(factors, dtype=float)
    if scores.shape[-1] != 6:
        raise ValueError(f"GEM needs six determinant scores per cluster ({', '.join(GEM_FACTORS)})")
    if not np.all(np.isfinite(scores)) or np.any(scores < 1) or np.any(scores > 10):
        raise ValueError("GEM determinant scores must lie between 1 and 10")
    pairs = scores[..., 0::2] + scores[..., 1::2]  # PS_1, PS_2, PS_3
    return 2.5 * np.prod(pairs, axis=-1) ** (2.0 / 3.0)
