r"""Criteria weights: equal, fixed (expert), entropy, CRITIC, AHP and their combinations.

All functions return a 1-D float array of non-negative weights summing to 1.

Entropy weights (two variants in use)
-------------------------------------
With :math:`n \ge 2` alternatives, shares :math:`p_{ij} = r_{ij} / \sum_i r_{ij}` where
:math:`r` is the min-max normalised matrix (``normalization="minmax"``, the usual
practice in Chinese evaluation studies) or the raw values themselves
(``normalization="sum"``, as pymcdm computes it),

.. math::

    e_j = -\frac{1}{\ln n}\sum_i p_{ij}\ln p_{ij}\quad(0\cdot\ln 0 = 0),\qquad
    w_j = \frac{1 - e_j}{\sum_k (1 - e_k)}.

Degenerate columns: a column whose shares are undefined — constant under ``"minmax"``
(every :math:`r_{ij} = 0`) or all-zero under ``"sum"`` — carries no information and gets
:math:`e_j = 1`, i.e. weight 0. A positive constant column under ``"sum"`` gives
:math:`p_{ij} = 1/n`, hence :math:`e_j = 1` too. If no column carries information the
weights are undefined and a ``ValueError`` is raised. Zeros inside an informative
column follow :math:`0\cdot\ln 0 = 0` (pymcdm instead sets :math:`e_j = 0` for any column
holding a zero share, so the two agree only on strictly positive shares).

CRITIC (Diakoulaki, Mavrotas & Papayannakis 1995)
-------------------------------------------------
On the min-max normalised matrix, :math:`C_j = \sigma_j\sum_k (1 - \rho_{jk})` with the
sample standard deviation :math:`\sigma_j` and Pearson correlations :math:`\rho`;
:math:`w_j = C_j/\sum_k C_k`. A constant column has :math:`\sigma_j = 0` (weight 0) and
is left out of the other columns' conflict sums (its correlation is undefined). If all
varying columns are perfectly positively correlated, every conflict sum is 0; the weights
are then the limit of CRITIC as all correlations tend to 1, :math:`w_j \propto \sigma_j`.

AHP (Saaty)
-----------
Weights are the principal (Perron) eigenvector of the reciprocal pairwise matrix
:math:`A`, normalised to sum 1; :math:`CI = (\lambda_{max} - n)/(n - 1)`,
:math:`CR = CI/RI_n` with Saaty's random index table :data:`SAATY_RI`. A matrix with
:math:`CR > 0.1` is refused (:class:`AHPInconsistentError`) unless ``force=True``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import as_directions, as_matrix, as_weights
from .normalize import minmax, sum_shares

# Local names follow the formulas above: x raw values, r = r_ij, p = p_ij, e = e_j, w = w_j, sd = sigma_j,
# rho, a = a_ij (AHP judgements) of an m x m matrix, ci / ri / cr = CI / RI / CR.

#: Saaty's random consistency index RI for n = 1..15 (Saaty 1980, *The Analytic Hierarchy
#: Process*, as tabulated in most textbooks; n = 11..15 from the same extended table).
SAATY_RI = (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59)


class AHPInconsistentError(ValueError):
    """A pairwise comparison matrix whose consistency ratio exceeds the threshold."""


def equal_weights(n_criteria: int) -> np.ndarray:
    """:math:`w_j = 1/m` for ``m`` criteria."""
    if n_criteria < 1:
        raise ValueError("need at least one criterion")
    return np.full(n_criteria, 1.0 / n_criteria)


def fixed_weights(values, tol: float = 1e-6) -> np.ndarray:
    """Expert (fixed) weights: checked to be non-negative and to sum to 1 within ``tol``."""
    weights = np.asarray(values, dtype=float).reshape(-1)
    return as_weights(weights, weights.shape[0], tol)


def _normalise_information(information: np.ndarray, method: str) -> np.ndarray:
    total = information.sum()
    if not total > 0:
        raise ValueError(f"{method} weights are undefined: no criterion varies across the alternatives")
    return information / total


def entropy_weights(matrix, normalization: str = "minmax", directions=None) -> np.ndarray:
    """Entropy weights of an (alternatives x criteria) matrix of raw values.

    Parameters
    ----------
    matrix : array_like, shape (n, m)
        Raw indicator values, alternatives in rows; ``n >= 2``.
    normalization : {"minmax", "sum"}
        ``"minmax"``: min-max normalise first (benefit-oriented using ``directions``),
        then take shares. ``"sum"``: shares of the raw values (non-negative values).
    directions : array_like, optional
        +1 benefit / -1 cost per criterion (only used by ``"minmax"``); default all benefit.

    Returns
    -------
    numpy.ndarray, shape (m,)
        :math:`w_j = (1 - e_j)/\\sum_k (1 - e_k)`; see the module docstring for the
        formula and for constant or zero columns.
    """
    x = as_matrix(matrix, min_rows=2)
    if normalization == "minmax":
        p = sum_shares(minmax(x, directions))
        flat = x.max(axis=0) == x.min(axis=0)
    elif normalization == "sum":
        if directions is not None and np.any(as_directions(directions, x.shape[1]) < 0):
            raise ValueError('entropy with normalization="sum" has no notion of cost criteria; use "minmax"')
        p = sum_shares(x)
        flat = x.max(axis=0) == x.min(axis=0)  # all-zero or constant: exactly e_j = 1
    else:
        raise ValueError(f'normalization must be "minmax" or "sum", got {normalization!r}')
    plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    e = -plogp.sum(axis=0) / np.log(x.shape[0])
    e = np.where(flat, 1.0, np.minimum(e, 1.0))
    return _normalise_information(1.0 - e, "entropy")


def critic_weights(matrix, directions=None) -> np.ndarray:
    """CRITIC weights (contrast intensity x conflict) of an (alternatives x criteria) matrix.

    Parameters
    ----------
    matrix : array_like, shape (n, m)
        Raw indicator values, alternatives in rows; ``n >= 2``.
    directions : array_like, optional
        +1 benefit / -1 cost per criterion (cost columns are flipped by the min-max
        normalisation, which changes the signs of their correlations); default all benefit.

    Returns
    -------
    numpy.ndarray, shape (m,)
        :math:`w_j = C_j/\\sum_k C_k`, :math:`C_j = \\sigma_j \\sum_k (1 - \\rho_{jk})`.
    """
    x = as_matrix(matrix, min_rows=2)
    r = minmax(x, directions)
    varying = x.max(axis=0) > x.min(axis=0)
    sd = np.where(varying, r.std(axis=0, ddof=1), 0.0)
    if varying.sum() == 0:
        raise ValueError("CRITIC weights are undefined: no criterion varies across the alternatives")
    r_varying = r[:, varying]
    if r_varying.shape[1] == 1:  # a single informative criterion takes all the weight
        return _normalise_information(varying.astype(float), "CRITIC")
    rho = np.corrcoef(r_varying, rowvar=False)
    conflict_v = (1.0 - rho).sum(axis=0)
    conflict = np.zeros(x.shape[1])
    conflict[varying] = conflict_v
    if not np.any(conflict[varying] > 1e-12):  # perfectly collinear: the limit rho -> 1 is w ~ sigma
        return _normalise_information(sd, "CRITIC")
    return _normalise_information(sd * conflict, "CRITIC")


@dataclass(frozen=True)
class AHPResult:
    """Eigenvector weights of a pairwise comparison matrix and its consistency."""

    weights: np.ndarray
    lambda_max: float
    ci: float
    ri: float
    cr: float

    @property
    def consistent(self) -> bool:
        return self.cr <= 0.1


class AHPWeights(np.ndarray):
    """Weights (an ordinary array) that also carry ``cr``, ``ci``, ``ri`` and ``lambda_max``."""

    cr: float | None
    ci: float | None
    ri: float | None
    lambda_max: float | None

    def __new__(cls, result: AHPResult):
        obj = np.asarray(result.weights, dtype=float).view(cls)
        obj.cr, obj.ci, obj.ri, obj.lambda_max = result.cr, result.ci, result.ri, result.lambda_max
        return obj

    def __array_finalize__(self, obj):
        for name in ("cr", "ci", "ri", "lambda_max"):
            setattr(self, name, getattr(obj, name, None))


def pairwise_matrix(rows) -> np.ndarray:
    """A pairwise comparison matrix from numbers or strings such as ``"1/3"``."""
    def value(judgement):
        if isinstance(judgement, str):
            numerator, _, denominator = judgement.partition("/")
            return float(numerator) / float(denominator) if denominator else float(numerator)
        return float(judgement)

    return np.array([[value(judgement) for judgement in row] for row in rows], dtype=float)


def ahp_consistency(matrix, reciprocity_tol: float = 1e-3) -> AHPResult:
    """Principal eigenvector, :math:`\\lambda_{max}`, CI, RI and CR of a pairwise matrix.

    Parameters
    ----------
    matrix : array_like, shape (m, m)
        Positive reciprocal matrix: :math:`a_{ij} > 0`, :math:`a_{ji} = 1/a_{ij}`
        (checked to a relative ``reciprocity_tol``; write ``"1/3"`` rather than 0.33),
        :math:`a_{ii} = 1`.
    """
    a = pairwise_matrix(matrix) if not isinstance(matrix, np.ndarray) else np.asarray(matrix, float)
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] < 1:
        raise ValueError(f"an AHP matrix must be square, got shape {a.shape}")
    m = a.shape[0]
    if m > len(SAATY_RI):
        raise ValueError(f"AHP matrices larger than {len(SAATY_RI)} x {len(SAATY_RI)} have no random index")
    if not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise ValueError("AHP judgements must be positive numbers")
    if not np.allclose(np.diag(a), 1.0):
        raise ValueError("the diagonal of an AHP matrix must be 1")
    bad = np.argwhere(np.abs(a * a.T - 1.0) > reciprocity_tol)
    if bad.size:
        i, j = bad[0]
        raise ValueError(f"AHP matrix is not reciprocal: a[{i}][{j}] = {a[i, j]:.6g} but "
                         f"a[{j}][{i}] = {a[j, i]:.6g} (should be {1 / a[i, j]:.6g}; write fractions as '1/3')")
    values, vectors = np.linalg.eig(a)
    principal = int(np.argmax(values.real))
    lam = float(values[principal].real)  # lambda_max
    w = np.abs(vectors[:, principal].real)
    w = w / w.sum()
    if m <= 2:
        return AHPResult(w, lam, 0.0, SAATY_RI[m - 1], 0.0)
    ci = max((lam - m) / (m - 1), 0.0)
    ri = SAATY_RI[m - 1]
    return AHPResult(w, lam, ci, ri, ci / ri)


def ahp_weights(matrix, force: bool = False, max_cr: float = 0.1) -> AHPWeights:
    """AHP eigenvector weights; refuse an inconsistent matrix (CR > ``max_cr``) unless forced.

    Parameters
    ----------
    matrix : array_like, shape (m, m)
        Positive reciprocal pairwise comparison matrix (Saaty 1-9 scale); entries may be
        strings such as ``"1/3"``.
    force : bool
        Return the weights even when :math:`CR > max\\_cr`.
    max_cr : float
        Consistency threshold (Saaty's 0.1).

    Returns
    -------
    AHPWeights
        An ordinary weight array (sums to 1) with attributes ``cr``, ``ci``, ``ri`` and
        ``lambda_max``.

    Raises
    ------
    AHPInconsistentError
        When :math:`CR > max\\_cr` and not ``force``.
    """
    result = ahp_consistency(matrix)
    if result.cr > max_cr and not force:
        raise AHPInconsistentError(
            f"AHP matrix is inconsistent: CR = {result.cr:.3f} > {max_cr} (lambda_max = {result.lambda_max:.3f}, "
            f"CI = {result.ci:.3f}, RI = {result.ri}); revise the judgements or pass force=True")
    return AHPWeights(result)


def combine_weights(*weight_vectors, method: str = "multiplicative", alpha: float | None = None) -> np.ndarray:
    r"""Combine subjective and objective weights (e.g. AHP x entropy).

    ``multiplicative``: :math:`w_j = \prod_k w^{(k)}_j / \sum_l \prod_k w^{(k)}_l`.
    ``additive``: :math:`w_j = \sum_k \alpha_k w^{(k)}_j` with ``alpha`` (one coefficient
    per vector, summing to 1; default equal).
    """
    if not weight_vectors:
        raise ValueError("nothing to combine")
    stacked = np.vstack([np.asarray(vector, dtype=float).reshape(-1) for vector in weight_vectors])
    for vector in stacked:
        as_weights(vector, stacked.shape[1])
    if method == "multiplicative":
        return _normalise_information(stacked.prod(axis=0), "combined")
    if method == "additive":
        coefficients = (np.full(stacked.shape[0], 1.0 / stacked.shape[0]) if alpha is None
                        else as_weights(alpha, stacked.shape[0]))
        return coefficients @ stacked
    raise ValueError(f'combination method must be "multiplicative" or "additive", got {method!r}')
