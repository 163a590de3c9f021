"""Input–output maths as stateless functions (投入产出模型计算), in the style of ``pymrio.tools.iomath``.

Every function takes pandas objects (square DataFrames indexed and columned by sector code, Series
indexed by sector code) and returns new ones; nothing is cached or printed. Notation (Miller & Blair
2009, *Input–Output Analysis*, 2nd ed.):

- ``Z`` intermediate flows, ``Z[i, j]`` = sales of sector i to sector j; ``x`` gross output;
- ``A = Z x̂⁻¹`` technical coefficients (直接消耗系数), ``L = (I − A)⁻¹`` Leontief inverse (完全需要系数);
- ``B = x̂⁻¹ Z`` allocation coefficients (直接分配系数), ``G = (I − B)⁻¹`` Ghosh inverse;
- a sector with zero gross output gets a zero column of ``A`` and a zero row of ``B`` (as pymrio does).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _reciprocal(x: pd.Series) -> np.ndarray:
    """1/x with 0 where x is 0 (a zero-output sector buys and sells nothing per unit)."""
    values = np.asarray(x, dtype=float)
    out = np.zeros_like(values)
    np.divide(1.0, values, out=out, where=values != 0)
    return out


def calc_A(Z: pd.DataFrame, x: pd.Series) -> pd.DataFrame:
    """Technical coefficients ``A[i, j] = Z[i, j] / x[j]`` (column j zero where ``x[j] == 0``)."""
    x = x.reindex(Z.columns)
    return pd.DataFrame(Z.to_numpy(dtype=float) * _reciprocal(x)[None, :], index=Z.index, columns=Z.columns)


def calc_B(Z: pd.DataFrame, x: pd.Series) -> pd.DataFrame:
    """Allocation (Ghosh) coefficients ``B[i, j] = Z[i, j] / x[i]`` (row i zero where ``x[i] == 0``)."""
    x = x.reindex(Z.index)
    return pd.DataFrame(Z.to_numpy(dtype=float) * _reciprocal(x)[:, None], index=Z.index, columns=Z.columns)


def _inverse_of_identity_minus(M: pd.DataFrame) -> pd.DataFrame:
    values = np.eye(M.shape[0]) - M.to_numpy(dtype=float)
    return pd.DataFrame(np.linalg.inv(values), index=M.index, columns=M.columns)


def calc_L(A: pd.DataFrame) -> pd.DataFrame:
    """Leontief inverse ``L = (I − A)⁻¹``; raises ``numpy.linalg.LinAlgError`` when I − A is singular."""
    return _inverse_of_identity_minus(A)


def calc_ghosh(Z: pd.DataFrame, x: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Ghosh model: ``(B, G)`` with ``B = x̂⁻¹ Z`` and ``G = (I − B)⁻¹``."""
    B = calc_B(Z, x)
    return B, _inverse_of_identity_minus(B)


def output_multipliers(L: pd.DataFrame) -> pd.Series:
    """Simple output multipliers (产出乘数): column sums of L, ``m[j] = Σ_i L[i, j]``."""
    return pd.Series(L.to_numpy().sum(axis=0), index=L.columns, name="output_multiplier")


def backward_linkages(L: pd.DataFrame) -> pd.Series:
    """Rasmussen–Hirschman backward linkages (影响力系数): column sums of L over their mean."""
    sums = L.to_numpy().sum(axis=0)
    return pd.Series(sums / sums.mean(), index=L.columns, name="backward_linkage")


def forward_linkages(L: pd.DataFrame | None = None, G: pd.DataFrame | None = None) -> pd.Series:
    """Rasmussen–Hirschman forward linkages (感应度系数): row sums over their mean.

    Row sums of the Leontief inverse ``L`` (the default, as the classical Rasmussen index and NBS's
    感应度系数) or, given ``G`` instead, of the Ghosh inverse (the supply-driven variant, Miller &
    Blair 2009 §12.1.3, which many authors prefer because L's row sums mix sectors' demand scales).
    """
    if (L is None) == (G is None):
        raise ValueError("give exactly one of L (Leontief row sums) or G (Ghosh row sums)")
    M = L if L is not None else G
    sums = M.to_numpy().sum(axis=1)
    return pd.Series(sums / sums.mean(), index=M.index, name="forward_linkage")


def key_sectors(backward: pd.Series, forward: pd.Series) -> pd.DataFrame:
    """Classify sectors by their linkages (关键部门).

    Returns
    -------
    pandas.DataFrame
        Indexed by sector: ``backward``, ``forward``, ``key`` (both > 1) and ``kind``: ``key``,
        ``backward`` (only backward > 1), ``forward`` (only forward > 1) or ``weak`` (neither).
    """
    frame = pd.DataFrame({"backward": backward, "forward": forward.reindex(backward.index)})
    b, f = frame["backward"] > 1, frame["forward"] > 1
    frame["key"] = b & f
    frame["kind"] = np.select([b & f, b, f], ["key", "backward", "forward"], default="weak")
    return frame


def import_dependence(Z_domestic: pd.DataFrame, Z_imported: pd.DataFrame, x: pd.Series,
                      L_domestic: pd.DataFrame) -> pd.DataFrame:
    """Import dependence of each sector's inputs (进口依存度), direct and total.

    With ``A_m = Z_imported x̂⁻¹`` (imported inputs per unit of output), ``A_d = Z_domestic x̂⁻¹``,
    ``L_d = (I − A_d)⁻¹`` and ``u = 1'`` (column sums):

    - ``direct_share[j]`` = Σ_i Z_imported[i, j] / Σ_i (Z_domestic + Z_imported)[i, j]: the share of
      imports in j's intermediate inputs (0 when j buys no inputs);
    - ``direct_per_output[j]`` = ``(u A_m)[j]``: imported inputs per unit of j's output;
    - ``total_per_output[j]`` = ``(u A_m L_d)[j]``: imported inputs needed, directly and through all
      domestic suppliers, per unit of final demand for j's products (the import content of j, the
      vertical-specialisation measure of Hummels, Ishii & Yi 2001);
    - ``total_share[j]`` = total imported inputs / (total imported + total domestic intermediate
      inputs) per unit of final demand, i.e. ``(u A_m L_d)[j] / ((u A_m L_d)[j] + (u A_d L_d)[j])``.

    Returns
    -------
    pandas.DataFrame
        Indexed by sector, the four columns above.
    """
    A_d = calc_A(Z_domestic, x).to_numpy()
    A_m = calc_A(Z_imported, x).to_numpy()
    Ld = L_domestic.reindex(index=Z_domestic.index, columns=Z_domestic.columns).to_numpy()
    imported, domestic = Z_imported.to_numpy().sum(axis=0), Z_domestic.to_numpy().sum(axis=0)
    total_inputs = imported + domestic
    direct_share = np.divide(imported, total_inputs, out=np.zeros_like(imported), where=total_inputs != 0)
    total_imported = A_m.sum(axis=0) @ Ld
    total_domestic = A_d.sum(axis=0) @ Ld
    both = total_imported + total_domestic
    total_share = np.divide(total_imported, both, out=np.zeros_like(both), where=both != 0)
    return pd.DataFrame({"direct_share": direct_share, "direct_per_output": A_m.sum(axis=0),
                         "total_per_output": total_imported, "total_share": total_share},
                        index=Z_domestic.columns)


def _drop(frame: pd.DataFrame, sector) -> pd.DataFrame:
    return frame.drop(index=sector, columns=sector)


def hypothetical_extraction(A: pd.DataFrame, f: pd.Series, B: pd.DataFrame, v: pd.Series, sector) -> dict:
    """Hypothetical extraction of one sector (假设抽取法), Miller & Blair (2009) §12.2.

    With ``x = L f`` (demand side) and ``x' = v' G`` (supply side, Ghosh):

    - total extraction: the sector's row and column are removed from A and its final demand from f;
      ``x̄ = (I − Ā)⁻¹ f̄`` over the other sectors; the loss ``T = u x − u x̄`` includes the extracted
      sector's own output;
    - backward extraction: column j of A set to 0 (j buys no intermediate inputs), ``x̄ = (I − A_cj)⁻¹ f``;
      the loss ``u x − u x̄`` measures j's backward linkage;
    - forward extraction (Dietzenbacher, van der Linden & Steenge 1993): row j of B set to 0 (j sells no
      intermediate output), ``x̄' = v'(I − B_rj)⁻¹``; the loss ``u x − u x̄`` measures j's forward linkage.

    ``f`` is the final demand consistent with A (``f = (I − A) x``) and ``v`` the primary inputs
    consistent with B (``v' = x'(I − B)``).

    Returns
    -------
    dict
        ``total``, ``backward``, ``forward`` (output losses, in the table's unit) and ``by_sector``, a
        DataFrame indexed by sector: ``x``, ``x_total``, ``x_backward``, ``x_forward`` (output before and
        after each extraction; the extracted sector's ``x_total`` is 0) and the matching ``loss_*``.
    """
    if sector not in A.index:
        raise KeyError(sector)
    x = pd.Series(calc_L(A).to_numpy() @ f.reindex(A.index).to_numpy(), index=A.index)
    others = _drop(A, sector)
    x_total = pd.Series(calc_L(others).to_numpy() @ f.reindex(others.index).to_numpy(), index=others.index)
    x_total = x_total.reindex(A.index, fill_value=0.0)
    A_cut = A.copy()
    A_cut[sector] = 0.0
    x_backward = pd.Series(calc_L(A_cut).to_numpy() @ f.reindex(A.index).to_numpy(), index=A.index)
    B_cut = B.copy()
    B_cut.loc[sector] = 0.0
    x_forward = pd.Series(v.reindex(B.index).to_numpy() @ calc_L(B_cut).to_numpy(), index=B.columns)
    by_sector = pd.DataFrame({"x": x, "x_total": x_total, "x_backward": x_backward, "x_forward": x_forward})
    for kind in ("total", "backward", "forward"):
        by_sector[f"loss_{kind}"] = by_sector["x"] - by_sector[f"x_{kind}"]
    return {"sector": sector, "total": float(by_sector["loss_total"].sum()),
            "backward": float(by_sector["loss_backward"].sum()),
            "forward": float(by_sector["loss_forward"].sum()), "by_sector": by_sector}
