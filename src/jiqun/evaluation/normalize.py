r"""Normalisation of a decision matrix (alternatives x criteria).

Every function works column by column over the alternatives axis (``axis=-2``), so it
accepts a single matrix of shape ``(n, m)`` or a stack of matrices ``(draws, n, m)``
(the Monte Carlo uses the latter). ``directions`` holds +1 for a benefit criterion
(higher is better) and -1 for a cost criterion; except for ``"sum"``, every result is
*benefit-oriented*: higher is better after normalisation.

Methods, for a column :math:`x_{\cdot j}` over :math:`n` alternatives:

``minmax``
    benefit :math:`r_{ij} = (x_{ij} - \min_i x_{ij}) / (\max_i x_{ij} - \min_i x_{ij})`,
    cost :math:`r_{ij} = (\max_i x_{ij} - x_{ij}) / (\max_i x_{ij} - \min_i x_{ij})`.
    A constant column carries no information and maps to 0.5 for everyone (neither
    best nor worst; it leaves every ranking unchanged).
``vector``
    :math:`r_{ij} = x_{ij} / \sqrt{\sum_i x_{ij}^2}`; for a cost criterion :math:`1 - r_{ij}`
    (an affine flip, so Euclidean distances, e.g. in TOPSIS, are those of textbook
    TOPSIS that takes the minimum as ideal). An all-zero column maps to 0.
``zscore``
    :math:`r_{ij} = \pm (x_{ij} - \bar x_j) / s_j` with the population standard deviation
    :math:`s_j`; a constant column maps to 0.
``sum``
    shares :math:`p_{ij} = x_{ij} / \sum_i x_{ij}` (values must be non-negative; an
    all-zero column maps to 0). Direction is not applied (used by entropy weights).
``benchmark``
    relative to a reference (e.g. world-class) value :math:`b_j > 0`:
    benefit :math:`r_{ij} = x_{ij} / b_j`, cost :math:`r_{ij} = b_j / x_{ij}` (a cost
    value of 0 beats any reference: :math:`+\infty`, then capped); optionally capped
    at ``cap`` (e.g. 1: exceeding the reference does not compensate other shortfalls).
"""

from __future__ import annotations

import numpy as np

from ._checks import as_directions

METHODS = ("minmax", "vector", "zscore", "sum", "benchmark")
# Local names follow the formulas above: x = x_ij, r = r_ij, b = b_j, sd = s_j; sign = +1 benefit / -1 cost.


def _prep(matrix, directions):
    x = np.asarray(matrix, dtype=float)
    if x.ndim < 2:
        raise ValueError(f"matrix must be at least 2-D (alternatives x criteria), got shape {x.shape}")
    return x, as_directions(directions, x.shape[-1])


def minmax(matrix, directions=None) -> np.ndarray:
    """Min-max normalisation to [0, 1], benefit-oriented (see module docstring)."""
    x, sign = _prep(matrix, directions)
    low = x.min(axis=-2, keepdims=True)
    high = x.max(axis=-2, keepdims=True)
    span = high - low
    flat = span <= 0
    safe = np.where(flat, 1.0, span)
    r = np.where(sign > 0, (x - low) / safe, (high - x) / safe)
    return np.where(flat, 0.5, r)


def vector(matrix, directions=None) -> np.ndarray:
    r"""Vector normalisation :math:`x/\lVert x\rVert_2`; cost criteria flipped to :math:`1 - r`."""
    x, sign = _prep(matrix, directions)
    norm = np.sqrt((x * x).sum(axis=-2, keepdims=True))
    r = np.divide(x, norm, out=np.zeros(np.broadcast_shapes(x.shape, norm.shape)), where=norm > 0)
    return np.where(sign > 0, r, 1.0 - r)


def zscore(matrix, directions=None) -> np.ndarray:
    """Standard scores with the population standard deviation; cost criteria negated."""
    x, sign = _prep(matrix, directions)
    mean = x.mean(axis=-2, keepdims=True)
    sd = x.std(axis=-2, keepdims=True)
    z = np.divide(x - mean, sd, out=np.zeros(np.broadcast_shapes(x.shape, sd.shape)), where=sd > 0)
    return z * sign


def sum_shares(matrix) -> np.ndarray:
    r"""Shares of column totals :math:`x_{ij}/\sum_i x_{ij}` (non-negative values; zero column -> 0)."""
    x = np.asarray(matrix, dtype=float)
    if np.any(x < 0):
        raise ValueError("sum (share) normalisation needs non-negative values")
    total = x.sum(axis=-2, keepdims=True)
    return np.divide(x, total, out=np.zeros(np.broadcast_shapes(x.shape, total.shape)), where=total > 0)


def benchmark(matrix, reference, directions=None, cap: float | None = None) -> np.ndarray:
    """Value relative to a positive reference value per criterion (see module docstring)."""
    x, sign = _prep(matrix, directions)
    b = np.asarray(reference, dtype=float).reshape(-1)
    if b.shape[0] != x.shape[-1]:
        raise ValueError(f"reference has {b.shape[0]} values for {x.shape[-1]} criteria")
    if not np.all(np.isfinite(b)) or np.any(b <= 0):
        raise ValueError("benchmark reference values must be positive and finite")
    with np.errstate(divide="ignore"):
        inverse = np.where(x > 0, b / np.where(x > 0, x, 1.0), np.inf)
    r = np.where(sign > 0, x / b, inverse)
    if cap is not None:
        r = np.minimum(r, cap)
    return r


def normalize(matrix, method: str = "minmax", directions=None, reference=None,
              cap: float | None = None) -> np.ndarray:
    """Dispatch to one of :data:`METHODS` by name."""
    if method == "minmax":
        return minmax(matrix, directions)
    if method == "vector":
        return vector(matrix, directions)
    if method == "zscore":
        return zscore(matrix, directions)
    if method == "sum":
        return sum_shares(matrix)
    if method == "benchmark":
        if reference is None:
            raise ValueError("benchmark normalisation needs reference values")
        return benchmark(matrix, reference, directions, cap)
    raise ValueError(f"unknown normalisation {method!r}; use one of {', '.join(METHODS)}")
