"""The input–output table object (:class:`IOTable`) and :func:`read_io_table`."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from . import iomath
from .labels import FINAL_USE_SUBTOTALS
from .reader import IOTableError, RawTable, read_raw

#: How the domestic/imported split of the intermediate flows was obtained.
SPLIT_KINDS = ("table", "proportional", "none")


@dataclass(eq=False)
class IOTable:
    """An input–output table (投入产出表) read from an NBS-layout file.

    Attributes
    ----------
    path : str
        The file read.
    Z : pandas.DataFrame
        Intermediate use, total (domestic + imported when the table separates them), sectors × sectors.
    Z_domestic : pandas.DataFrame or None
        Domestic intermediate use when the table separates it, else None.
    Z_imported : pandas.DataFrame or None
        Imported intermediate use: from the table, or estimated under the proportional-import
        assumption when the table only has an IM column (``import_split == "proportional"``), or None.
    x : pandas.Series
        Gross output (总产出): the GO column of the (domestic) sector rows.
    final_uses : pandas.DataFrame
        Final-use columns of the (domestic) sector rows as read (TC, FU201, EX, TFU …; subtotals kept).
    final_uses_imported : pandas.DataFrame or None
        The same for the imported rows, when separated.
    exports, imports : pandas.Series or None
        EX of the (domestic) rows; imports by product (the IM column, or the GO column of the imported rows).
    value_added : pandas.DataFrame or None
        The rows VA001–VA004 and TVA present (rows) × sectors.
    names : pandas.DataFrame
        ``name_en``, ``name_zh`` by sector code.
    import_split : str
        ``table``, ``proportional`` (Z_imported estimated: each product's imported share of its domestic
        use, ``IM / (TIU + TFU − EX)``, applied to every buyer) or ``none`` (no imports in the table).
    units : str or None
        The unit stated in the file (单位：万元) or given; values are kept as read.
    notes : list of str
        What the reader did that a user should know (zero-output sectors, estimated split).
    """

    path: str
    Z: pd.DataFrame
    x: pd.Series
    names: pd.DataFrame
    Z_domestic: pd.DataFrame | None = None
    Z_imported: pd.DataFrame | None = None
    final_uses: pd.DataFrame | None = None
    final_uses_imported: pd.DataFrame | None = None
    exports: pd.Series | None = None
    imports: pd.Series | None = None
    value_added: pd.DataFrame | None = None
    import_split: str = "none"
    units: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def sectors(self) -> list[str]:
        """The sector codes, in the table's order."""
        return list(self.Z.index)

    @property
    def zero_output(self) -> list[str]:
        """Sectors with zero gross output (their A column and B row are 0)."""
        return [code for code, value in self.x.items() if value == 0]

    @cached_property
    def A(self) -> pd.DataFrame:
        """Technical coefficients of the total flows, ``Z x̂⁻¹``."""
        return iomath.calc_A(self.Z, self.x)

    @cached_property
    def L(self) -> pd.DataFrame:
        """Leontief inverse of A."""
        return iomath.calc_L(self.A)

    @property
    def _Z_domestic_used(self) -> pd.DataFrame | None:
        if self.Z_domestic is not None:
            return self.Z_domestic
        if self.Z_imported is not None:
            return self.Z - self.Z_imported
        return None

    @cached_property
    def A_domestic(self) -> pd.DataFrame | None:
        """Domestic technical coefficients (from the table, or the proportional estimate), or None."""
        Z_d = self._Z_domestic_used
        return None if Z_d is None else iomath.calc_A(Z_d, self.x)

    @cached_property
    def L_domestic(self) -> pd.DataFrame | None:
        """Leontief inverse of the domestic A (see ``import_split``), or None without imports."""
        return None if self.A_domestic is None else iomath.calc_L(self.A_domestic)

    def _flows(self, domestic: bool) -> pd.DataFrame:
        if not domestic:
            return self.Z
        Z_d = self._Z_domestic_used
        if Z_d is None:
            raise IOTableError(self.path, "the table has no imports (neither imported rows nor an IM column), so "
                               "there is no domestic model; use domestic=False", rule="no_imports")
        return Z_d

    def leontief(self, domestic: bool = False) -> pd.DataFrame:
        """L (total flows) or L_domestic."""
        self._flows(domestic)
        return self.L_domestic if domestic else self.L

    def ghosh(self, domestic: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
        """``(B, G)`` of the total or the domestic flows."""
        return iomath.calc_ghosh(self._flows(domestic), self.x)

    def backward_linkages(self, domestic: bool = False) -> pd.Series:
        """Rasmussen–Hirschman backward linkages: column sums of L (or L_domestic) over their mean."""
        return iomath.backward_linkages(self.leontief(domestic))

    def forward_linkages(self, domestic: bool = False, method: str = "leontief") -> pd.Series:
        """Forward linkages: row sums of L (default, ``method="leontief"``) or of G (``"ghosh"``) over their mean."""
        if method == "leontief":
            return iomath.forward_linkages(L=self.leontief(domestic))
        if method == "ghosh":
            return iomath.forward_linkages(G=self.ghosh(domestic)[1])
        raise ValueError(f"method must be 'leontief' or 'ghosh', not {method!r}")

    def key_sectors(self, domestic: bool = False, method: str = "leontief") -> pd.DataFrame:
        """Linkages and the classification of :func:`jiqun.io.iomath.key_sectors` (key: both > 1)."""
        return iomath.key_sectors(self.backward_linkages(domestic), self.forward_linkages(domestic, method))

    def multipliers(self) -> pd.DataFrame:
        """Multipliers per sector (乘数), indexed by sector.

        Columns: ``output`` (column sums of L), and when the table has imports ``output_domestic``
        (column sums of L_domestic) and ``import_content`` (``u A_m L_d``); when it has value added,
        ``value_added`` (``v L_d`` with ``v = TVA / x``, or ``v L`` without imports). With the imports
        split, value_added + import_content = 1 for every sector whose inputs add up to its output.
        """
        frame = pd.DataFrame({"output": iomath.output_multipliers(self.L)})
        L_value = self.L
        if self._Z_domestic_used is not None:
            frame["output_domestic"] = iomath.output_multipliers(self.L_domestic)
            frame["import_content"] = self.import_dependence()["total_per_output"]
            L_value = self.L_domestic
        if self.value_added is not None and "TVA" in self.value_added.index:
            v = self.value_added.loc["TVA"].reindex(self.sectors).to_numpy()
            x = self.x.to_numpy()
            v = np.divide(v, x, out=np.zeros_like(v), where=x != 0)
            frame["value_added"] = v @ L_value.to_numpy()
        return frame

    def import_dependence(self) -> pd.DataFrame:
        """Import dependence of each sector's inputs: see :func:`jiqun.io.iomath.import_dependence`."""
        Z_d = self._flows(True)
        return iomath.import_dependence(Z_d, self.Z - Z_d, self.x, self.L_domestic)

    def extraction(self, sector, domestic: bool = False) -> dict:
        """Hypothetical extraction of ``sector`` (:func:`jiqun.io.iomath.hypothetical_extraction`).

        ``domestic=False`` uses the total flows (f = x − Z u, v = x − u'Z = value added); ``True`` the
        domestic flows (f = domestic final use, v = value added + imported inputs).
        """
        code = self.sector_code(sector)
        Z = self._flows(domestic)
        A = iomath.calc_A(Z, self.x)
        B = iomath.calc_B(Z, self.x)
        f = self.x - Z.sum(axis=1)
        v = self.x - Z.sum(axis=0)
        return iomath.hypothetical_extraction(A, f, B, v, code)

    def sector_code(self, sector) -> str:
        """``sector`` as one of the table's codes (``1`` → ``01``); IOTableError listing the codes otherwise."""
        text = str(sector).strip()
        if text in self.Z.index:
            return text
        if text.isdigit():
            for code in self.Z.index:
                if code.isdigit() and int(code) == int(text):
                    return code
        raise IOTableError(self.path, f"no sector {text!r} in the table; valid codes: {', '.join(self.sectors)}",
                           rule="unknown_sector")


def _close(a, b, n_terms: int, tolerance: float) -> np.ndarray:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.abs(a - b) <= tolerance * np.maximum(np.abs(a), np.abs(b)) + 0.5 * n_terms


def _final_total(final: pd.DataFrame) -> pd.Series:
    if "TFU" in final.columns:
        return final["TFU"]
    parts = [c for c in final.columns if c not in FINAL_USE_SUBTOTALS and c not in ("IM", "ERR", "TIU")]
    return final[parts].sum(axis=1)


def _fail_first(raw: RawTable, bad: np.ndarray, block: str, message, rule: str, column: str | None = None):
    if bad.any():
        code = raw.sectors[int(np.flatnonzero(bad)[0])]
        raise IOTableError(raw.path, message(code), rule=rule, row=raw.row_numbers[(block, code)],
                           column=column or code)


def _check(raw: RawTable, tolerance: float) -> None:
    """The balances of the table: non-negative flows and output, row and column totals."""
    n = len(raw.sectors)
    for block, Z in raw.flows.items():
        negative = Z.to_numpy() < 0
        if negative.any():
            i, j = map(int, np.argwhere(negative)[0])
            raise IOTableError(raw.path, f"negative intermediate flow {Z.iat[i, j]} from {Z.index[i]} to "
                               f"{Z.columns[j]}", rule="negative_flow", row=raw.row_numbers[(block, Z.index[i])],
                               column=Z.columns[j])
        final = raw.final_uses[block]
        rowsum = Z.sum(axis=1)
        if "TIU" in final:
            _fail_first(raw, ~_close(final["TIU"], rowsum, n, tolerance), block,
                        lambda c: f"TIU (中间使用合计) {final.at[c, 'TIU']} is not the sum of the row's intermediate "
                        f"uses {rowsum[c]}", "row_total", "TIU")
        supply = rowsum + _final_total(final) - final.get("IM", 0.0) + final.get("ERR", 0.0)
        go = raw.gross[block]
        _fail_first(raw, ~_close(go, supply, n + len(final.columns), tolerance), block,
                    lambda c: f"GO (总产出) {go[c]} is not TIU + TFU − IM = {supply[c]}", "row_balance", "GO")
    x = raw.gross["Domestic"]
    _fail_first(raw, (x < 0).to_numpy(), "Domestic", lambda c: f"negative gross output {x[c]}", "negative_output", "GO")
    checks = {"TII": (sum(Z.sum(axis=0) for Z in raw.flows.values()), "the sum of the column's intermediate inputs"),
              "TI": (x, "the gross output GO (总产出) of the sector's row")}
    for label, (expected, what) in checks.items():
        if label in raw.rows:
            bad = ~_close(raw.rows[label], expected, n, tolerance)
            if bad.any():
                code = raw.sectors[int(np.flatnonzero(bad)[0])]
                raise IOTableError(raw.path, f"{label} {raw.rows[label][code]} is not {what} ({expected[code]})",
                                   rule="column_total", row=raw.row_numbers[("TOT", label)], column=code)


def _proportional_imports(raw: RawTable, Z: pd.DataFrame) -> pd.DataFrame:
    final = raw.final_uses["Domestic"]
    domestic_use = Z.sum(axis=1) + _final_total(final) - final.get("EX", 0.0)
    im = final["IM"].to_numpy()
    share = np.clip(np.divide(im, domestic_use.to_numpy(), out=np.zeros_like(im), where=domestic_use.to_numpy() > 0),
                    0.0, 1.0)
    return Z.mul(share, axis=0)


def read_io_table(path, *, units: str | None = None, sheet=None, tolerance: float = 1e-4,
                  estimate_domestic: bool = True) -> IOTable:
    """Read an input–output table in NBS layout (CSV in UTF-8 or GBK/GB18030, or XLSX).

    Parameters
    ----------
    path : str or Path
        The file (layout: module docstring of :mod:`jiqun.io.reader` and docs/io.md).
    units : str, optional
        The unit of the values (e.g. ``万元``); default: a 单位：… line above the header, else unknown.
        Values are never rescaled.
    sheet : str or int, optional
        Excel sheet (name or 0-based number); default the first.
    tolerance : float
        Relative tolerance of the balance checks (plus half a unit per added cell, for rounded tables).
    estimate_domestic : bool
        For a table with an IM column but no imported rows: estimate the imported flows under the
        proportional-import assumption (default), so that L_domestic and import dependence exist.

    Raises
    ------
    IOTableError
        A ValueError naming the file, the row, the column and the rule.
    """
    raw = read_raw(path, units=units, sheet=sheet)
    _check(raw, tolerance)
    table = IOTable(path=raw.path, Z=raw.flows["Domestic"], x=raw.gross["Domestic"].rename("x"), names=raw.names,
                    units=raw.units)
    final = raw.final_uses["Domestic"].drop(columns=["TIU"], errors="ignore")
    table.exports = final.get("EX")
    if "Imports" in raw.flows:
        table.Z_domestic, table.Z_imported = raw.flows["Domestic"], raw.flows["Imports"]
        table.Z = table.Z_domestic + table.Z_imported
        table.final_uses_imported = raw.final_uses["Imports"].drop(columns=["TIU"], errors="ignore")
        table.imports = raw.gross["Imports"].rename("imports")
        table.import_split = "table"
    elif "IM" in final.columns:
        table.imports = final.pop("IM").rename("imports")
        if estimate_domestic:
            table.Z_imported = _proportional_imports(raw, table.Z)
            table.import_split = "proportional"
            table.notes.append("imports are not separated: imported intermediate flows estimated by the proportional-"
                               "import assumption (each product's IM share of its domestic use, for every buyer)")
    table.final_uses = final
    va_rows = [label for label in ("VA001", "VA002", "VA003", "VA004", "TVA") if label in raw.rows]
    if va_rows:
        table.value_added = pd.DataFrame({label: raw.rows[label] for label in va_rows}).T
    if table.zero_output:
        table.notes.append(f"sector(s) {', '.join(table.zero_output)} have zero gross output: their A column "
                           "and B row are 0")
    return table
