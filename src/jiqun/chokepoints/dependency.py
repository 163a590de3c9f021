"""``screen``: the dependency screen of products for one importer (country or group) under a criteria set."""

from __future__ import annotations

import pandas as pd

from .criteria import CriteriaSet, evaluate_criteria, load_criteria
from .screening import ScreeningError, as_trade_table, country_codes_for, trade_measures, _as_codes


def _domestic_table(domestic_supply, con_table):
    if domestic_supply is None:
        return None
    if isinstance(domestic_supply, pd.DataFrame):
        missing = [c for c in ("t", "k", "domestic_supply") if c not in domestic_supply.columns]
        if missing:
            raise ScreeningError(f"domestic_supply lacks column(s) {missing}: give t, k, domestic_supply "
                                 "(same unit as v)")
        import ibis

        frame = domestic_supply[["t", "k", "domestic_supply"]].astype({"domestic_supply": "float64"})
        frame = frame.astype({c: con_table.schema()[c].to_pandas() for c in ("t", "k")})
        return ibis.memtable(frame)
    return domestic_supply


def screen(trade, importer, criteria="geodep", years=None, risk_origins=(), domestic_supply=None) -> pd.DataFrame:
    """Screen every product the importer trades for import dependence (产品进口依赖筛选).

    Parameters
    ----------
    trade : pandas.DataFrame or ibis.Table
        BACI layout: ``t`` (year), ``i`` (exporter), ``j`` (importer), ``k`` (HS6), ``v`` (value,
        thousand USD), ``q`` (ignored). The whole world's trade of the products, so that world export
        concentration can be measured.
    importer : str, int or sequence
        The importer: one country or a group's members, as the table writes them (ISO alpha-3 is
        translated for a numeric BACI table).
    criteria : {"geodep", "eu2021"}, path of a YAML set, or CriteriaSet
        The criteria set (``data/criteria.yaml``; thresholds and sources there).
    years : sequence of int, optional
        Years to return (all by default); GeoDep's persistence still looks at the two years before.
    risk_origins : sequence, optional
        Origins on a risk list, for ``risk_origin_share``.
    domestic_supply : pandas.DataFrame or ibis.Table, optional
        ``t``, ``k``, ``domestic_supply``: the importer's own production (same unit as ``v``), for
        ``import_share`` of one country and ``import_dependence``.

    Returns
    -------
    pandas.DataFrame
        One row per product × year: the measures of :mod:`jiqun.chokepoints.screening` (``k`` as a
        6-digit text code), one nullable boolean per criterion (NA = not assessable), ``n_criteria_met``,
        ``meets_all``, ``dependent`` and ``criteria_set``; sorted by year and product.
    """
    chosen: CriteriaSet = load_criteria(criteria)
    table, numeric = as_trade_table(trade)
    group = country_codes_for(_as_codes(importer), numeric)
    risk = country_codes_for(_as_codes(risk_origins), numeric) if len(_as_codes(risk_origins)) else []
    present = set(table.filter(table.j.isin(group)).select("j").distinct().to_pandas()["j"])
    if not present:
        raise ScreeningError(f"importer {importer!r} imports nothing in this trade table — check the code "
                             f"({'numeric BACI codes, e.g. 156 for China' if numeric else 'e.g. CHN'})")
    measures = trade_measures(table, group, risk, _domestic_table(domestic_supply, table)).to_pandas()
    measures["k"] = measures["k"].astype(str).str.zfill(6)
    measures = measures.sort_values(["t", "k"]).reset_index(drop=True)
    result = evaluate_criteria(measures, chosen)
    if years is not None:
        wanted = {int(y) for y in _as_codes(years)}
        missing = sorted(wanted - set(result["t"].astype(int)))
        if missing:
            raise ScreeningError(f"year(s) {missing} are not in the trade table; it has "
                                 f"{', '.join(map(str, sorted(set(result['t'].astype(int)))))}")
        result = result[result["t"].astype(int).isin(wanted)].reset_index(drop=True)
    return result.assign(criteria_set=chosen.id)
