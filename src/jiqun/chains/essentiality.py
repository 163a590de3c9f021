"""Essentiality matrices (投入必要性矩阵) for the firm-level cascade: presets, validation and a CSV reader.

An essentiality matrix ``E`` is a pandas DataFrame indexed (rows: the supplying sector ``k``) and
columned (the buying sector ``l``) by sector labels, with values

- ``0`` negligible (可忽略): the input does not affect the buyer's production;
- ``1`` non-essential (非必要, linear): losing a share of the input loses that share of production,
  weighted by its share of the buyer's total purchases;
- ``2`` essential (必要, Leontief): production is limited by the scarcest essential input sector.

Pure functions; :func:`read_essentiality_csv` reads the one file it is given.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

#: The allowed values of an essentiality matrix.
ESSENTIALITY_VALUES = (0, 1, 2)
NEGLIGIBLE, NON_ESSENTIAL, ESSENTIAL = ESSENTIALITY_VALUES


def _unique_labels(labels: Iterable) -> list:
    return list(pd.unique(pd.Series(list(labels), dtype=object)))


def constant_essentiality(labels: Iterable, value: int) -> pd.DataFrame:
    """A square essentiality matrix over ``labels`` (duplicates dropped, order kept) filled with ``value``."""
    if value not in ESSENTIALITY_VALUES:
        raise ValueError(f"essentiality value {value!r} is not one of {ESSENTIALITY_VALUES}")
    unique = _unique_labels(labels)
    index = pd.Index(unique, dtype=object)
    return pd.DataFrame(np.full((len(unique), len(unique)), value, dtype=np.int8), index=index,
                        columns=index.copy())


def linear_essentiality(labels: Iterable) -> pd.DataFrame:
    """Every input non-essential (all 1): the purely linear model (线性模型)."""
    return constant_essentiality(labels, NON_ESSENTIAL)


def leontief_essentiality(labels: Iterable) -> pd.DataFrame:
    """Every input essential (all 2): the pure Leontief model (里昂惕夫模型), each sector a bottleneck."""
    return constant_essentiality(labels, ESSENTIAL)


def validate_essentiality(essentiality: pd.DataFrame, sectors: Sequence | None = None) -> pd.DataFrame:
    """Check an essentiality matrix and return it as int8 with object labels.

    Parameters
    ----------
    essentiality
        DataFrame indexed by supplying sectors and columned by buying sectors, values 0/1/2.
    sectors
        Sector labels that must all be present both as rows and as columns (e.g. each firm's sector).

    Raises
    ------
    ValueError
        naming the missing sector labels (rows or columns), duplicated labels, or the cells whose
        value is not 0, 1 or 2 (also missing values).
    """
    if not isinstance(essentiality, pd.DataFrame):
        raise ValueError(f"essentiality must be a pandas DataFrame, got {type(essentiality).__name__}")
    for axis_name, axis in (("row", essentiality.index), ("column", essentiality.columns)):
        duplicated = axis[axis.duplicated()].unique().tolist()
        if duplicated:
            raise ValueError(f"essentiality matrix has duplicated {axis_name} labels: {_shorten([repr(label) for label in duplicated])}")
    values = essentiality.to_numpy(dtype=object)
    bad_cells = []
    for r, c in zip(*np.nonzero(~_is_allowed(values))):
        bad_cells.append(f"({essentiality.index[r]!r}, {essentiality.columns[c]!r})={values[r, c]!r}")
    if bad_cells:
        raise ValueError(f"essentiality values must be 0, 1 or 2; bad cells (row, column)=value: "
                         f"{_shorten(bad_cells)}")
    if sectors is not None:
        needed = _unique_labels(sectors)
        for axis_name, axis in (("rows (supplying sectors)", essentiality.index),
                                ("columns (buying sectors)", essentiality.columns)):
            present = set(axis.tolist())
            missing = [label for label in needed if label not in present]
            if missing:
                raise ValueError(f"essentiality matrix lacks {len(missing)} sector label(s) in its {axis_name}: "
                                 f"{_shorten([repr(label) for label in missing])}; add them (values 0, 1 or 2)")
    out = essentiality.astype(np.int8)
    out.index = pd.Index(out.index.tolist(), dtype=object)
    out.columns = pd.Index(out.columns.tolist(), dtype=object)
    return out


def _is_allowed(values: np.ndarray) -> np.ndarray:
    allowed = np.zeros(values.shape, dtype=bool)
    for position, value in np.ndenumerate(values):
        if isinstance(value, (bool, np.bool_)):
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        allowed[position] = number in ESSENTIALITY_VALUES
    return allowed


def _shorten(items: list, limit: int = 10) -> str:
    shown = ", ".join(str(item) for item in items[:limit])
    return shown + (f" … and {len(items) - limit} more" if len(items) > limit else "")


def read_essentiality_csv(path: str | Path, sectors: Sequence | None = None) -> pd.DataFrame:
    """Read a user essentiality matrix from a CSV file (sector × sector) and validate it.

    The first column holds the supplying sector labels, the header row the buying sector labels,
    read as text (codes such as ``"05"`` keep their leading zero); cells are 0, 1 or 2. A UTF-8 BOM
    is accepted. See :func:`validate_essentiality` for the errors.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"essentiality file {path} does not exist")
    frame = pd.read_csv(path, dtype=str, index_col=0, encoding="utf-8-sig", keep_default_na=False)
    frame.index = frame.index.astype(str).str.strip()
    frame.columns = frame.columns.astype(str).str.strip()
    frame = frame.apply(lambda column: column.str.strip())
    numeric = frame.apply(pd.to_numeric, errors="coerce")
    bad = numeric.isna() | ~numeric.isin(ESSENTIALITY_VALUES)
    if bad.to_numpy().any():
        cells = [f"({frame.index[r]!r}, {frame.columns[c]!r})={frame.iat[r, c]!r}"
                 for r, c in zip(*np.nonzero(bad.to_numpy()))]
        raise ValueError(f"{path}: essentiality values must be 0, 1 or 2; bad cells (row, column)=value: "
                         f"{_shorten(cells)}")
    return validate_essentiality(numeric.astype(np.int8), sectors)
