"""``compute``: every complexity measure of a long table, one row per location × product (× period).

The table is pivoted to a dense location × product matrix per period (a missing cell is a value of 0,
as ``ecomplexity`` rectangularises), the ``calc_*`` functions of :mod:`jiqun.complexity.maths` run on
it, and the results are stacked back to the long layout, keyed by the caller's column names.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from .maths import (ComplexityError, _scaled_complexity, calc_cog, calc_coi, calc_density, calc_diversity_ubiquity,
                    calc_mcp, calc_proximity, calc_rca)

#: The measures ``compute`` adds, in their order.
MEASURES = ("rca", "mcp", "diversity", "ubiquity", "eci", "pci", "density", "coi", "cog")


def _check_table(table: object, keys: list[str], val: str) -> pd.Series:
    """The value column as float (NaN read as 0), or a ComplexityError saying what is wrong and how to fix it."""
    if not isinstance(table, pd.DataFrame):
        raise ComplexityError(f"the table must be a pandas DataFrame, not {type(table).__name__}: "
                              "build one with pandas.DataFrame(...) or read_csv")
    clashing = [column for column in [*keys, val] if column in MEASURES]
    if clashing or len({*keys, val}) < len(keys) + 1:
        named = f"{clashing[0]!r} is the name of a measure" if clashing else "the same column is named twice"
        raise ComplexityError(f"{named} among {[*keys, val]}: give distinct columns, renamed if needed "
                              "(table.rename(columns={...}))")
    missing = [column for column in [*keys, val] if column not in table.columns]
    if missing:
        raise ComplexityError(f"the table lacks column(s) {missing} (it has {list(table.columns)}): "
                              "name the location, product, value (and time) columns it holds")
    if table.empty:
        raise ComplexityError("the table is empty: give at least 2 locations and 2 products with values")
    raw = table[val]
    if pd.api.types.is_bool_dtype(raw):
        raise ComplexityError(f"column {val!r} holds booleans, not values: give exports or patent counts")
    values = pd.to_numeric(raw, errors="coerce")
    bad = values.isna() & raw.notna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ComplexityError(f"column {val!r}, row {row + 1}: {raw.iloc[row]!r} is not a number — values must "
                              "be numbers (exports in USD, patent counts)")
    values = values.astype(float)
    for problem, mask in (("negative", values < 0), ("infinite", np.isinf(values))):
        if mask.any():
            row = int(np.flatnonzero(mask.to_numpy())[0])
            raise ComplexityError(f"column {val!r}, row {row + 1}: {values.iloc[row]} is {problem} — values "
                                  "must be finite and non-negative (exports, patent counts)")
    for key in keys:
        if table[key].isna().any():
            row = int(np.flatnonzero(table[key].isna().to_numpy())[0])
            raise ComplexityError(f"column {key!r}, row {row + 1} is empty: every row needs its {key}")
    return values.fillna(0.0)


def _refuse_repeats(rows: pd.DataFrame, cells: np.ndarray, n_cells: int, keys: list[str], val: str) -> None:
    """A ComplexityError naming the first row whose location × product (× period) cell came before."""
    if np.bincount(cells, minlength=n_cells).max() <= 1:
        return
    row = int(np.flatnonzero(pd.Series(cells).duplicated().to_numpy())[0])
    raise ComplexityError(f"the row {rows[keys].iloc[row].to_dict()} repeats a cell: give one value per "
                          f"{' × '.join(keys)} (sum them first, e.g. table.groupby({keys})[{val!r}].sum())")


def _check_threshold(rca_threshold: object) -> float:
    if (isinstance(rca_threshold, bool) or not isinstance(rca_threshold, numbers.Real)
            or not np.isfinite(rca_threshold) or rca_threshold <= 0):
        raise ComplexityError(f"rca_threshold must be a positive number (1.0 is the usual), not {rca_threshold!r}")
    return float(rca_threshold)


def _measures_of_matrix(X: np.ndarray, threshold: float, period: object) -> dict[str, np.ndarray]:
    """Every measure of one period's location × product matrix, as flat arrays in row-major order."""
    rca = calc_rca(X)
    mcp = calc_mcp(rca, threshold)
    diversity, ubiquity = calc_diversity_ubiquity(mcp)
    try:
        eci, pci_uncentred, shift = _scaled_complexity(mcp)
    except ComplexityError as error:
        where = "" if period is None else f"period {period!r}: "
        raise ComplexityError(f"{where}{error}") from None
    proximity = calc_proximity(mcp)
    density = calc_density(mcp, proximity)
    coi = calc_coi(density, mcp, pci_uncentred, standardise=False)
    cog = calc_cog(proximity, mcp, pci_uncentred)
    located, made = np.isfinite(eci), np.isfinite(pci_uncentred)
    coi[~located] = np.nan
    if located.any():
        coi = (coi - coi[located].mean()) / coi[located].std()
    cog[~located, :] = np.nan
    cog[:, ~made] = np.nan
    n_loc, n_prod = X.shape
    by_location = {"diversity": diversity, "eci": eci - shift, "coi": coi}
    by_product = {"ubiquity": ubiquity, "pci": pci_uncentred - shift}
    out = {"rca": rca.ravel(), "mcp": mcp.ravel()}
    out.update({name: np.repeat(vector, n_prod) for name, vector in by_location.items()})
    out.update({name: np.tile(vector, n_loc) for name, vector in by_product.items()})
    out.update({"density": density.ravel(), "cog": cog.ravel()})
    return {name: out[name] for name in MEASURES}


def _period_frame(rows: pd.DataFrame, values: np.ndarray, keys: list[str], val: str,
                  threshold: float, period: object) -> dict[str, object]:
    """The long result of one period: every location × product seen in it, sorted by both."""
    loc, prod = keys[-2:]
    loc_codes, locations = pd.factorize(rows[loc], sort=True)
    prod_codes, products = pd.factorize(rows[prod], sort=True)
    n_loc, n_prod = len(locations), len(products)
    cells = loc_codes * n_prod + prod_codes
    _refuse_repeats(rows, cells, n_loc * n_prod, keys, val)
    X = np.zeros(n_loc * n_prod)
    X[cells] = values
    X = X.reshape(n_loc, n_prod)
    columns = {loc: locations.take(np.repeat(np.arange(n_loc), n_prod)).array,
               prod: products.take(np.tile(np.arange(n_prod), n_loc)).array, val: X.ravel()}
    columns.update(_measures_of_matrix(X, threshold, period))
    return columns


def compute(table: pd.DataFrame, loc: str, prod: str, val: str, time: str | None = None,
            rca_threshold: float = 1.0) -> pd.DataFrame:
    """RCA, M_cp, diversity, ubiquity, ECI, PCI, density, COI and COG of a long table (docs/complexity.md).

    Parameters
    ----------
    table : pandas.DataFrame
        Long table, one row per location × product (× period); a missing combination is a value of 0,
        a NaN value too.
    loc, prod, val : str
        Names of the location (country, region), product (or technology field) and value (exports,
        patents) columns.
    time : str, optional
        Name of the period column: each period is computed on its own (as ``ecomplexity`` does).
    rca_threshold : float, default 1.0
        ``M[c, p] = 1`` where ``RCA[c, p] >= rca_threshold``.

    Returns
    -------
    pandas.DataFrame
        One row per location × product seen in the period (× period), sorted by (time,) loc, prod, with
        the columns (time,) loc, prod, val (0 for missing cells) and rca, mcp, diversity, ubiquity,
        eci, pci, density, coi, cog. Locations and products whose values are all 0 get NaN where a
        measure is undefined (rca, eci or pci, coi, cog, density) and 0 in mcp.

    Raises
    ------
    ComplexityError
        A missing column, an empty table, a value that is not a number, negative or infinite, a
        repeated key, a bad threshold, or a period with fewer than 2 locations or products with M = 1.
    """
    threshold = _check_threshold(rca_threshold)
    keys = [loc, prod] if time is None else [time, loc, prod]
    values = _check_table(table, keys, val)
    if time is None:
        return pd.DataFrame(_period_frame(table, values.to_numpy(), keys, val, threshold, None))
    period_codes, periods = pd.factorize(table[time], sort=True)
    frames = []
    for index, period in enumerate(periods):
        selected = period_codes == index
        columns = _period_frame(table[selected], values.to_numpy()[selected], keys, val, threshold, period)
        frames.append(pd.DataFrame({time: periods.take(np.full(len(columns[val]), index)).array, **columns}))
    return pd.concat(frames, ignore_index=True)
