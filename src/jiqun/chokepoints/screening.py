"""Dependency screening of products (产品进口依赖筛选) on bilateral trade in BACI layout.

Pure functions: a trade table in, one row per product × year out. The relational part is one ibis
expression (:func:`trade_measures`), so it runs on the embedded DuckDB or any ibis backend; a pandas
DataFrame is screened through an in-memory DuckDB (nothing is written).

Input layout (CEPII BACI, https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37):
``t`` year, ``i`` exporter, ``j`` importer, ``k`` HS6 product, ``v`` value (thousand USD), ``q``
quantity (optional, unused). Exporter and importer codes are used as they come (BACI: ISO 3166-1
numeric with Comtrade's exceptions, e.g. 842 for the USA); an importer given as ISO alpha-3 for a
numeric table is translated (:func:`country_codes_for`).

Measures (the importer is one country or a group, e.g. the EU-27, whose internal trade is not
"imports"):

- ``imports`` — from outside the group; ``n_origins``; ``top_origin`` and ``top_origin_share``;
  ``risk_origin_share`` — share of the imports from the origins on a user's risk list;
- ``import_hhi`` — Σ over origins of (origin's share of the imports)²;
- ``exports`` — of the group to outside it; ``world_exports`` and ``world_export_hhi`` — Σ over every
  exporter in the world of (its share of world exports of the product)²;
- ``import_export_ratio`` — imports / exports, 9999 when exports are 0 (GeoDep's convention);
- ``import_share`` — imports / (imports + intra-group imports + domestic supply where given): the
  EU's "importance of extra-EU imports" (extra / total imports) for a group; for one country it needs
  the domestic supply and is null without it;
- ``import_dependence`` — imports / apparent consumption (domestic supply + imports − exports), where
  the domestic supply is given;
- trends against the previous year: ``imports_growth``, ``import_hhi_change``,
  ``world_export_hhi_change`` (null when the previous year is missing).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import ibis
import numpy as np
import pandas as pd
from ibis import _

#: The BACI columns the screen reads (``q`` is accepted and ignored).
BACI_COLUMNS = ("t", "i", "j", "k", "v")
KEYS = ("t", "k")
#: imports / exports when exports are 0 (CEPII GeoDep).
NO_EXPORTS_RATIO = 9999.0
#: BACI codes that differ from ISO 3166-1 numeric (UN Comtrade reporter codes; BACI country_codes file).
BACI_NUMERIC_EXCEPTIONS = {"USA": 842, "FRA": 251, "IND": 699, "CHE": 757, "NOR": 579, "TWN": 490}
MEASURE_COLUMNS = (
    "t", "k", "imports", "exports", "intra_group_imports", "domestic_supply", "n_origins", "top_origin",
    "top_origin_share", "risk_origin_share", "import_hhi", "world_exports", "world_export_hhi",
    "import_export_ratio", "import_share", "import_dependence", "imports_growth", "import_hhi_change",
    "world_export_hhi_change",
)


class ScreeningError(ValueError):
    """A trade table or argument the screen cannot use; the message says what and how to fix it."""


def _as_codes(values) -> list:
    if isinstance(values, (str, int, np.integer)):
        return [values]
    return list(values)


def country_codes_for(codes: Iterable, numeric: bool) -> list:
    """The codes as the table writes them: ISO alpha-3 → BACI numeric for a numeric table (Comtrade's
    exceptions in :data:`BACI_NUMERIC_EXCEPTIONS`), numbers → int; unknown alpha-3 codes are refused."""
    import pycountry

    out = []
    for code in codes:
        if not numeric:
            out.append(str(code).upper() if isinstance(code, str) else code)
            continue
        if isinstance(code, str) and not code.strip().isdigit():
            alpha = code.strip().upper()
            if alpha in BACI_NUMERIC_EXCEPTIONS:
                out.append(BACI_NUMERIC_EXCEPTIONS[alpha])
                continue
            country = pycountry.countries.get(alpha_3=alpha)
            if country is None:
                raise ScreeningError(f"country {code!r} is not an ISO 3166-1 alpha-3 code — give e.g. CHN or 156")
            out.append(int(country.numeric))
        else:
            out.append(int(code))
    return out


def _check_frame(trade: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in BACI_COLUMNS if c not in trade.columns]
    if missing:
        raise ScreeningError(f"the trade table lacks column(s) {missing}: BACI layout is t (year), i (exporter), "
                             "j (importer), k (HS6), v (value, thousand USD), q (quantity)")
    values = pd.to_numeric(trade["v"], errors="coerce")
    bad = values.isna() & trade["v"].notna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ScreeningError(f"column v, row {row + 1}: {trade['v'].iloc[row]!r} is not a number — trade values "
                             "must be numbers in thousand USD")
    if (values < 0).any():
        row = int(np.flatnonzero((values < 0).to_numpy())[0])
        raise ScreeningError(f"column v, row {row + 1}: {values.iloc[row]} is negative — trade values cannot be "
                             "negative")
    return trade[list(BACI_COLUMNS)].assign(v=values.fillna(0.0).astype(np.float64))


def as_trade_table(trade) -> tuple[ibis.Table, bool]:
    """An ibis table of the trade (a pandas frame goes through an in-memory DuckDB) and whether its
    country codes are numeric."""
    if isinstance(trade, pd.DataFrame):
        frame = _check_frame(trade)
        numeric = pd.api.types.is_numeric_dtype(frame["i"])
        return ibis.duckdb.connect().create_table("trade", frame), numeric
    if isinstance(trade, ibis.Table):
        missing = [c for c in BACI_COLUMNS if c not in trade.columns]
        if missing:
            raise ScreeningError(f"the trade table lacks column(s) {missing} (BACI layout t, i, j, k, v, q)")
        return trade, trade.schema()["i"].is_numeric()
    raise ScreeningError(f"trade must be a pandas DataFrame or an ibis table, not {type(trade).__name__}")


def _import_side(extra: ibis.Table, risk: list) -> ibis.Table:
    by_origin = extra.group_by(["t", "k", "i"]).aggregate(v=_.v.sum())
    by_origin = by_origin.filter(by_origin.v > 0)
    totals = by_origin.group_by(["t", "k"]).aggregate(imports=_.v.sum())
    rows = by_origin.join(totals, ["t", "k"])
    rows = rows.mutate(share=rows.v / rows.imports,
                       rank=ibis.row_number().over(group_by=[rows.t, rows.k], order_by=[ibis.desc(rows.v), rows.i]))
    risky = rows.i.isin(risk) if risk else ibis.literal(False)
    return rows.group_by(["t", "k"]).aggregate(
        imports=rows.imports.max(), n_origins=rows.i.count(), import_hhi=(rows.share * rows.share).sum(),
        top_origin=rows.i.max(where=rows["rank"] == 0), top_origin_share=rows.share.max(),
        risk_origin_share=ibis.ifelse(risky, rows.share, 0.0).sum())


def _world_side(trade: ibis.Table) -> ibis.Table:
    by_exporter = trade.group_by(["t", "k", "i"]).aggregate(v=_.v.sum())
    by_exporter = by_exporter.filter(by_exporter.v > 0)
    totals = by_exporter.group_by(["t", "k"]).aggregate(world_exports=_.v.sum())
    rows = by_exporter.join(totals, ["t", "k"])
    share = rows.v / rows.world_exports
    return rows.group_by(["t", "k"]).aggregate(world_exports=rows.world_exports.max(),
                                                world_export_hhi=(share * share).sum())


def trade_measures(trade: ibis.Table, group: Sequence, risk_origins: Sequence = (),
                   domestic_supply: ibis.Table | None = None) -> ibis.Table:
    """The screen's measures per product × year for the importer ``group`` (see the module docstring).

    Parameters
    ----------
    trade : ibis.Table
        BACI layout: ``t``, ``i``, ``j``, ``k``, ``v``.
    group : sequence
        The importer's codes (one code, or the members of a group), as the table writes them.
    risk_origins : sequence
        Origins on a risk list (same codes), for ``risk_origin_share``.
    domestic_supply : ibis.Table, optional
        ``t``, ``k``, ``domestic_supply`` (same unit as ``v``): the group's own production or deliveries.

    Returns
    -------
    ibis.Table
        :data:`MEASURE_COLUMNS`, one row per product × year the group imports or exports.
    """
    in_j, in_i = trade.j.isin(list(group)), trade.i.isin(list(group))
    imports = _import_side(trade.filter(in_j & ~in_i), list(risk_origins))
    exports = trade.filter(in_i & ~in_j).group_by(["t", "k"]).aggregate(exports=_.v.sum())
    intra = trade.filter(in_i & in_j & (trade.i != trade.j)).group_by(["t", "k"]).aggregate(
        intra_group_imports=_.v.sum())
    both = imports.outer_join(exports, ["t", "k"])
    both = both.select(t=ibis.coalesce(both.t, both.t_right), k=ibis.coalesce(both.k, both.k_right),
                       imports=both.imports.fill_null(0.0), exports=both.exports.fill_null(0.0),
                       n_origins=both.n_origins.fill_null(0), import_hhi=both.import_hhi,
                       top_origin=both.top_origin, top_origin_share=both.top_origin_share,
                       risk_origin_share=both.risk_origin_share)
    both = both.filter((both.imports > 0) | (both.exports > 0))
    table = both.left_join(intra, ["t", "k"]).select(both, intra.intra_group_imports)
    world = _world_side(trade)
    table = table.left_join(world, ["t", "k"]).select(table, world.world_exports, world.world_export_hhi)
    if domestic_supply is not None:
        supply = domestic_supply.group_by(["t", "k"]).aggregate(domestic_supply=_.domestic_supply.sum())
        table = table.left_join(supply, ["t", "k"]).select(table, supply.domestic_supply)
    else:
        table = table.mutate(domestic_supply=ibis.null("float64"))
    return _derived(table, single=len(set(group)) == 1)


def _derived(table: ibis.Table, single: bool) -> ibis.Table:
    intra = table.intra_group_imports.fill_null(0.0)
    ratio = ibis.ifelse(table.exports > 0, table.imports / table.exports,
                        ibis.ifelse(table.imports > 0, NO_EXPORTS_RATIO, ibis.null("float64")))
    supply = table.imports + intra + table.domestic_supply.fill_null(0.0)
    share_known = table.domestic_supply.notnull() | ibis.literal(not single)
    consumption = table.domestic_supply + table.imports - table.exports
    table = table.mutate(
        intra_group_imports=intra, import_export_ratio=ratio,
        import_share=ibis.ifelse(share_known & (supply > 0), table.imports / supply, ibis.null("float64")),
        import_dependence=ibis.ifelse(consumption > 0, table.imports / consumption, ibis.null("float64")))
    window = ibis.window(group_by=table.k, order_by=table.t)
    previous = table.t.lag().over(window)
    follows = previous == table.t - 1

    def change(column, relative: bool):
        before = table[column].lag().over(window)
        value = (table[column] / before - 1) if relative else (table[column] - before)
        ok = follows & (before > 0) if relative else follows
        return ibis.ifelse(ok, value, ibis.null("float64"))

    table = table.mutate(imports_growth=change("imports", True), import_hhi_change=change("import_hhi", False),
                         world_export_hhi_change=change("world_export_hhi", False))
    return table.select(*MEASURE_COLUMNS)
