r"""World-class gap: each unit against a reference profile, per indicator and dimension.

For a reference value :math:`b_j` (a world-class cluster's value entered by the user, or
the best value among the evaluated units — the best national peer — where none is
given) the relative gap is

.. math::

    g_{ij} = \max\left(0,\ 1 - x_{ij}/b_j\right)\ \text{(benefit)},\qquad
    g_{ij} = \max\left(0,\ 1 - b_j/x_{ij}\right)\ \text{(cost)},

0 where the unit is at or beyond the reference and 1 where it has nothing of it. A
benefit reference :math:`b_j \le 0` leaves the gap undefined (NaN). The dimension gap is
the weight-averaged indicator gap, :math:`G_{ik} = \sum_{j\in k} w_j g_{ij}/\sum_{j\in k} w_j`
over the indicators with a defined gap.
"""

from __future__ import annotations

import numpy as np

# Local names follow the formulas above: x = x_ij, b = b_j, g = g_ij, w = w_j, k a dimension (G_ik);
# sign = +1 benefit / -1 cost.


def best_peer(raw, directions) -> np.ndarray:
    """Best value per indicator among the units: maximum for benefit, minimum for cost."""
    x = np.asarray(raw, dtype=float)
    sign = np.asarray(directions, dtype=float)
    return np.where(sign > 0, x.max(axis=0), x.min(axis=0))


def indicator_gaps(raw, directions, reference) -> np.ndarray:
    """Relative gaps :math:`g_{ij}` in [0, 1] (NaN where undefined); shape (n, m)."""
    x = np.asarray(raw, dtype=float)
    sign = np.asarray(directions, dtype=float)
    b = np.asarray(reference, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        benefit = np.where(b > 0, 1.0 - x / np.where(b > 0, b, 1.0), np.nan)
        cost = np.where(x > 0, 1.0 - b / np.where(x > 0, x, 1.0), 0.0)
    g = np.where(sign > 0, benefit, cost)
    g = np.where(np.isnan(b), np.nan, g)
    return np.clip(g, 0.0, 1.0)


def dimension_gaps(gaps, weights, dimension_of, n_dimensions: int) -> np.ndarray:
    """Weight-averaged gaps per dimension (NaN where no indicator of the dimension has a gap)."""
    g = np.asarray(gaps, dtype=float)
    w = np.asarray(weights, dtype=float)
    dim = np.asarray(dimension_of, dtype=int)
    out = np.full((g.shape[0], n_dimensions), np.nan)
    for k in range(n_dimensions):
        in_k = dim == k
        wk = np.where(np.isnan(g[:, in_k]), 0.0, w[in_k])
        total = wk.sum(axis=1)
        weighted = (np.nan_to_num(g[:, in_k]) * wk).sum(axis=1)
        out[:, k] = np.where(total > 0, weighted / np.where(total > 0, total, 1.0), np.nan)
    return out
