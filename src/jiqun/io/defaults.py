"""The concordance of the 42 IO sectors to GB/T 4754-2017 divisions, and the shipped defaults derived
from the national 2020 table: the essentiality matrix of the ESRI cascade and import dependence.

See ``data/SOURCES.md`` and docs/io.md. :func:`build_defaults` regenerates the shipped files from the
table (a pure function; ``tests/test_io_defaults.py`` checks the shipped files equal its result).
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd

DATA = "jiqun.io.data"
CONCORDANCE_FILE = "io42_gbt4754.csv"
ESSENTIALITY_FILE = "essentiality_io42.csv"
IMPORT_DEPENDENCE_FILE = "import_dependence_io42.csv"
ESSENTIAL_SHARE = 0.5
NEGLIGIBLE_SHARE = 0.001


def _read(name: str, **kwargs) -> pd.DataFrame:
    with resources.files(DATA).joinpath(name).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False, **kwargs)


def read_concordance() -> pd.DataFrame:
    """The concordance: one row per GB/T 4754-2017 division (01–96), columns ``io_sector``,
    ``io_sector_name_zh``, ``division``, ``division_name_zh`` (codes as 2-digit strings)."""
    return _read(CONCORDANCE_FILE)


def io_sectors_of_division(division) -> list[str]:
    """The IO sector(s) of a GB/T 4754 division (``"39"`` or ``39`` → ``["20"]``); ValueError if not covered."""
    code = f"{int(division):02d}" if str(division).strip().isdigit() else str(division)
    frame = read_concordance()
    found = frame.loc[frame["division"] == code, "io_sector"].tolist()
    if not found:
        raise ValueError(f"GB/T 4754 division {code!r} is not in the IO concordance (it covers 01–96; 97 国际组织 "
                         "is outside the national economy)")
    return found


def divisions_of_io_sector(sector) -> list[str]:
    """The GB/T 4754 divisions of an IO sector (``"20"`` → ``["39"]``)."""
    frame = read_concordance()
    return frame.loc[frame["io_sector"] == str(sector).zfill(2), "division"].tolist()


def derive_essentiality(A: pd.DataFrame, essential_share: float = ESSENTIAL_SHARE,
                        negligible_share: float = NEGLIGIBLE_SHARE) -> pd.DataFrame:
    """Essentiality E[k, l] ∈ {0, 1, 2} of input k to production in sector l, from technical coefficients.

    For each buyer l, with ``s = Σ_k A[k, l]`` its intermediate inputs per unit of output: sort its inputs
    by ``A[k, l]``, largest first; the smallest set of inputs whose coefficients add up to at least
    ``essential_share × s`` are essential (2), including the one that crosses the share; inputs with
    ``A[k, l] < negligible_share × s`` are negligible (0) unless essential; all others are non-essential (1).
    A buyer without inputs has a column of 0. Ties are broken by the row order.

    Returns
    -------
    pandas.DataFrame
        Integers, indexed (inputs k) and columned (buyers l) like ``A``.
    """
    if not 0 < essential_share <= 1 or not 0 <= negligible_share < 1:
        raise ValueError("essential_share must be in (0, 1] and negligible_share in [0, 1)")
    values = A.to_numpy(dtype=float)
    E = np.ones_like(values, dtype=int)
    for l in range(values.shape[1]):
        column = values[:, l]
        total = column.sum()
        if total <= 0:
            E[:, l] = 0
            continue
        E[column < negligible_share * total, l] = 0
        order = np.argsort(-column, kind="stable")
        reached = np.cumsum(column[order]) >= essential_share * total * (1 - 1e-12)
        count = int(np.argmax(reached)) + 1
        E[order[:count], l] = 2
    return pd.DataFrame(E, index=A.index, columns=A.columns)


def build_defaults(table, essential_share: float = ESSENTIAL_SHARE,
                   negligible_share: float = NEGLIGIBLE_SHARE) -> dict[str, pd.DataFrame]:
    """The shipped tables from an IOTable of the 42-sector national table: ``{file name: frame}``.

    Essentiality uses the total technical coefficients (domestic + imported: what an input is needed for
    does not depend on where it comes from); import dependence is :meth:`IOTable.import_dependence`.
    """
    E = derive_essentiality(table.A, essential_share, negligible_share)
    E.index.name = "input_sector"
    dependence = table.import_dependence()
    dependence.index.name = "io_sector"
    return {ESSENTIALITY_FILE: E.reset_index(), IMPORT_DEPENDENCE_FILE: dependence.reset_index()}


def _division_codes(concordance: pd.DataFrame) -> tuple[list[str], list[str]]:
    return concordance["division"].tolist(), concordance["io_sector"].tolist()


def default_essentiality() -> pd.DataFrame:
    """The default essentiality matrix by GB/T 4754 division (rows: input division, columns: buyer).

    Indexed and columned by 2-digit division codes (strings, 01–96), values 0/1/2: a pair of divisions
    takes the value of their IO sectors in ``essentiality_io42.csv`` (rule: :func:`derive_essentiality`,
    from the national 2020 table with shares 50% and 0.1%).
    """
    io = _read(ESSENTIALITY_FILE, index_col="input_sector").astype(int)
    divisions, sectors = _division_codes(read_concordance())
    frame = io.loc[sectors, sectors]
    frame.index, frame.columns = divisions, divisions
    frame.index.name, frame.columns.name = "input_division", "buyer_division"
    return frame


def default_import_dependence() -> pd.DataFrame:
    """National import dependence of each GB/T 4754 division's inputs (2020 table, its IO sector's values).

    Indexed by division code; columns ``io_sector``, ``direct_share``, ``direct_per_output``,
    ``total_per_output``, ``total_share`` (definitions: :func:`jiqun.io.iomath.import_dependence`).
    """
    io = _read(IMPORT_DEPENDENCE_FILE, index_col="io_sector")
    io = io.astype(float)
    concordance = read_concordance()
    frame = io.loc[concordance["io_sector"]].reset_index()
    frame.index = pd.Index(concordance["division"].tolist(), name="division")
    return frame
