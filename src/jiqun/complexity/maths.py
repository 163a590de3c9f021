"""Economic-complexity maths as stateless functions (经济复杂度计算), in the style of ``pymrio.tools.iomath``.

Every function takes a location × product matrix (a numpy array or a DataFrame indexed by location
and columned by product) and returns new arrays; a DataFrame in gives a DataFrame (or Series) out with
the same labels. Nothing is cached or printed. Notation (Hidalgo & Hausmann 2009; Hausmann et al.
2014, *The Atlas of Economic Complexity*), with ``c`` a location (country, region) and ``p`` a product
(or technology field):

- ``X[c, p]`` value (exports, patents), ``RCA = (X[c, p] / X[c, .]) / (X[., p] / X[., .])``;
- ``M[c, p] = 1`` if ``RCA[c, p] >= threshold`` else 0; diversity ``k_c = Σ_p M``, ubiquity ``k_p = Σ_c M``;
- ECI and PCI from the eigenvector of the second largest eigenvalue of ``M̃ = D⁻¹ M U⁻¹ Mᵀ``;
- proximity ``φ[p, q] = Σ_c M[c, p] M[c, q] / max(k_p, k_q)``, density, COI and COG.

The conventions are those of Harvard Growth Lab's ``ecomplexity`` package (docs/complexity.md says
where they differ from the papers); results match it to 1e-6.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ArrayLike = np.ndarray | pd.DataFrame


class ComplexityError(ValueError):
    """A table or matrix the complexity maths cannot use; the message says what and how to fix it."""


def _values(matrix: ArrayLike) -> np.ndarray:
    return np.asarray(matrix, dtype=float)


def _as_matrix(result: np.ndarray, like: object, rows: object = "index", cols: object = "columns") -> ArrayLike:
    """``result`` as a DataFrame labelled like ``like`` when ``like`` is one, else as it is."""
    if not isinstance(like, pd.DataFrame):
        return result
    index = like.index if rows == "index" else like.columns
    columns = like.columns if cols == "columns" else like.index
    return pd.DataFrame(result, index=index, columns=columns)


def _as_vector(result: np.ndarray, like: object, axis: int, name: str) -> np.ndarray | pd.Series:
    if not isinstance(like, pd.DataFrame):
        return result
    return pd.Series(result, index=like.index if axis == 0 else like.columns, name=name)


def _standardise(values: np.ndarray) -> np.ndarray:
    """(values − mean) / std over the finite entries, population std (ddof=0) as ``ecomplexity``."""
    finite = np.isfinite(values)
    return (values - values[finite].mean()) / values[finite].std()


def calc_rca(X: ArrayLike) -> ArrayLike:
    """Balassa's revealed comparative advantage (显示性比较优势).

    Parameters
    ----------
    X : numpy.ndarray or pandas.DataFrame
        Non-negative values, locations in rows and products in columns (a missing cell is 0).
        For patents by region × technology field the result is the revealed technological advantage.

    Returns
    -------
    numpy.ndarray or pandas.DataFrame
        ``RCA[c, p] = (X[c, p] / Σ_q X[c, q]) / (Σ_d X[d, p] / Σ_d Σ_q X[d, q])``; NaN in the rows of
        locations and the columns of products whose total is 0 (0/0: nothing to compare).
    """
    values = _values(X)
    with np.errstate(divide="ignore", invalid="ignore"):
        share_in_location = values / values.sum(axis=1, keepdims=True)
        share_in_world = values.sum(axis=0, keepdims=True) / values.sum()
        rca = share_in_location / share_in_world
    return _as_matrix(rca, X)


def calc_mcp(rca: ArrayLike, threshold: float = 1.0) -> ArrayLike:
    """Binary presence matrix ``M[c, p] = 1 if RCA[c, p] >= threshold else 0``.

    Parameters
    ----------
    rca : numpy.ndarray or pandas.DataFrame
        Revealed comparative advantage (from :func:`calc_rca`); NaN counts as absent.
    threshold : float, default 1.0
        RCA from which a location counts as a competitive exporter of the product.

    Returns
    -------
    numpy.ndarray or pandas.DataFrame
        Integer 0/1 matrix of the shape of ``rca``.
    """
    values = np.nan_to_num(_values(rca), nan=0.0)
    return _as_matrix((values >= threshold).astype(np.int64), rca)


def calc_diversity_ubiquity(mcp: ArrayLike) -> tuple[np.ndarray | pd.Series, np.ndarray | pd.Series]:
    """Diversity of each location and ubiquity of each product.

    Parameters
    ----------
    mcp : numpy.ndarray or pandas.DataFrame
        0/1 presence matrix (from :func:`calc_mcp`), locations × products.

    Returns
    -------
    diversity : numpy.ndarray or pandas.Series
        ``k_c,0 = Σ_p M[c, p]``, the number of products location c is competitive in.
    ubiquity : numpy.ndarray or pandas.Series
        ``k_p,0 = Σ_c M[c, p]``, the number of locations competitive in product p.
    """
    values = np.asarray(mcp, dtype=np.int64)
    return (_as_vector(values.sum(axis=1), mcp, 0, "diversity"),
            _as_vector(values.sum(axis=0), mcp, 1, "ubiquity"))


def _second_eigenvectors(M: np.ndarray, diversity: np.ndarray, ubiquity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(k_c, k_p): eigenvectors of the second largest eigenvalue of M̃ (locations) and of its product twin.

    Solved as the symmetric problem of the smaller side, ``A Aᵀ`` or ``Aᵀ A`` with
    ``A = D^-1/2 M U^-1/2`` (same eigenvalues as ``M̃``), then mapped back so that
    ``k_c = D⁻¹ M k_p`` holds exactly as in ``ecomplexity`` (ECI is the mean PCI of a location's products).
    """
    root_d, root_u = np.sqrt(diversity), np.sqrt(ubiquity)
    A = M / root_d[:, None] / root_u[None, :]
    if M.shape[0] <= M.shape[1]:
        eigenvalues, eigenvectors = np.linalg.eigh(A @ A.T)
        k_c = eigenvectors[:, -2] / root_d
        k_p = (M.T @ k_c) / ubiquity / eigenvalues[-2]
    else:
        eigenvalues, eigenvectors = np.linalg.eigh(A.T @ A)
        k_p = eigenvectors[:, -2] / root_u
    k_c = (M @ k_p) / diversity
    return k_c, k_p


def _scaled_complexity(mcp: ArrayLike) -> tuple[np.ndarray, np.ndarray, float]:
    """(k_c / σ, k_p / σ, μ / σ), with the sign making ECI rise with diversity and μ, σ the mean and
    population std of k_c; NaN for locations of zero diversity and products of zero ubiquity."""
    M = _values(mcp)
    diversity, ubiquity = M.sum(axis=1), M.sum(axis=0)
    rows, cols = diversity > 0, ubiquity > 0
    if rows.sum() < 2 or cols.sum() < 2:
        raise ComplexityError("ECI and PCI need at least 2 locations and 2 products with M = 1 "
                              f"(got {int(rows.sum())} and {int(cols.sum())}): "
                              "give more locations and products or lower the RCA threshold")
    k_c, k_p = _second_eigenvectors(M[rows][:, cols], diversity[rows], ubiquity[cols])
    # the sign of corr(diversity, k_c) is that of their covariance; undefined (NaN) for equal diversities
    covariance = np.mean((diversity[rows] - diversity[rows].mean()) * (k_c - k_c.mean()))
    sign = np.sign(covariance) if covariance != 0 else np.nan
    sigma = k_c.std()
    eci, pci = np.full(M.shape[0], np.nan), np.full(M.shape[1], np.nan)
    eci[rows], pci[cols] = sign * k_c / sigma, sign * k_p / sigma
    return eci, pci, float(sign * k_c.mean() / sigma)


def calc_eci_pci(mcp: ArrayLike, centred: bool = True) -> tuple[np.ndarray | pd.Series, np.ndarray | pd.Series]:
    """Economic complexity index of locations and product complexity index of products.

    Parameters
    ----------
    mcp : numpy.ndarray or pandas.DataFrame
        0/1 presence matrix, locations × products (at least 2 of each with M = 1).
    centred : bool, default True
        True: ``ECI = (k_c − μ) / σ`` and ``PCI = (k_p − μ) / σ``, with μ and σ the mean and the
        population standard deviation (ddof=0) of k_c — both scaled by the *ECI's* moments, so that a
        location's ECI is the mean PCI of its products (the ``ecomplexity``/Stata convention).
        False: ``k_c / σ`` and ``k_p / σ`` (the PCI ``ecomplexity`` feeds to COI and COG).

    Returns
    -------
    eci : numpy.ndarray or pandas.Series
        One value per location (NaN where diversity is 0); its sign makes it correlate positively
        with diversity.
    pci : numpy.ndarray or pandas.Series
        One value per product (NaN where ubiquity is 0). ``k_p`` is the eigenvector of the second
        largest eigenvalue of ``U⁻¹ Mᵀ D⁻¹ M`` and ``k_c = D⁻¹ M k_p``.
    """
    eci, pci, shift = _scaled_complexity(mcp)
    if centred:
        eci, pci = eci - shift, pci - shift
    return _as_vector(eci, mcp, 0, "eci"), _as_vector(pci, mcp, 1, "pci")


def calc_proximity(mcp: ArrayLike) -> ArrayLike:
    """Product proximity (产品邻近度): the minimum of the two conditional probabilities of co-export.

    Parameters
    ----------
    mcp : numpy.ndarray or pandas.DataFrame
        0/1 presence matrix, locations × products.

    Returns
    -------
    numpy.ndarray or pandas.DataFrame
        Symmetric products × products matrix
        ``φ[p, q] = min(P(M_q | M_p), P(M_p | M_q)) = Σ_c M[c, p] M[c, q] / max(k_p, k_q)``,
        1 on the diagonal, NaN on the diagonal of a product of zero ubiquity.
    """
    M = _values(mcp)
    ubiquity = M.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        proximity = (M.T @ M) / np.maximum.outer(ubiquity, ubiquity)
    return _as_matrix(proximity, mcp, rows="columns", cols="columns")


def calc_density(mcp: ArrayLike, proximity: ArrayLike) -> ArrayLike:
    """Density (密度): how close each product is to what a location already makes.

    Parameters
    ----------
    mcp : numpy.ndarray or pandas.DataFrame
        0/1 presence matrix, locations × products.
    proximity : numpy.ndarray or pandas.DataFrame
        Products × products proximity (from :func:`calc_proximity`), in the column order of ``mcp``.

    Returns
    -------
    numpy.ndarray or pandas.DataFrame
        ``ω[c, p] = Σ_q M[c, q] φ[p, q] / Σ_q φ[p, q]`` (the self term φ[p, p] = 1 included), between
        0 and 1; NaN for a product no location makes.
    """
    phi = np.nan_to_num(_values(proximity), nan=0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        density = (_values(mcp) @ phi.T) / phi.sum(axis=1)[None, :]
    return _as_matrix(density, mcp)


def calc_coi(density: ArrayLike, mcp: ArrayLike, pci: ArrayLike, standardise: bool = True) -> np.ndarray | pd.Series:
    """Complexity outlook index (复杂度前景指数): how many complex products lie near a location.

    Parameters
    ----------
    density : numpy.ndarray or pandas.DataFrame
        Locations × products density (from :func:`calc_density`).
    mcp : numpy.ndarray or pandas.DataFrame
        0/1 presence matrix of the same shape.
    pci : numpy.ndarray or pandas.Series
        One PCI per product; ``ecomplexity`` passes the uncentred ``k_p / σ``
        (``calc_eci_pci(mcp, centred=False)``). Products with NaN PCI count for nothing.
    standardise : bool, default True
        Return the z-score over the locations (population std), as ``ecomplexity`` does.

    Returns
    -------
    numpy.ndarray or pandas.Series
        ``COI[c] = Σ_p ω[c, p] (1 − M[c, p]) PCI[p]``, one value per location.
    """
    absent = 1.0 - _values(mcp)
    weights = np.nan_to_num(_values(density), nan=0.0) * absent
    coi = weights @ np.nan_to_num(np.asarray(pci, dtype=float), nan=0.0)
    return _as_vector(_standardise(coi) if standardise else coi, mcp, 0, "coi")


def calc_cog(proximity: ArrayLike, mcp: ArrayLike, pci: ArrayLike) -> ArrayLike:
    """Complexity outlook gain (复杂度前景收益): how much a new product p opens the way to complex ones.

    Parameters
    ----------
    proximity : numpy.ndarray or pandas.DataFrame
        Products × products proximity (from :func:`calc_proximity`).
    mcp : numpy.ndarray or pandas.DataFrame
        0/1 presence matrix, locations × products.
    pci : numpy.ndarray or pandas.Series
        One PCI per product; ``ecomplexity`` passes the uncentred ``k_p / σ``. NaN counts for nothing.

    Returns
    -------
    numpy.ndarray or pandas.DataFrame
        ``COG[c, p] = (1 − M[c, p]) Σ_q (1 − M[c, q]) φ[q, p] / Σ_r φ[q, r] · PCI[q]``: 0 for products
        the location already makes.
    """
    phi = np.nan_to_num(_values(proximity), nan=0.0)
    absent = 1.0 - _values(mcp)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.nan_to_num(np.asarray(pci, dtype=float), nan=0.0) / phi.sum(axis=1)
    weighted = phi * np.nan_to_num(weight, nan=0.0, posinf=0.0, neginf=0.0)[:, None]
    return _as_matrix(absent * (absent @ weighted), mcp)
