"""Talent flows (人才流动) between units — firms or cities — as pure functions on a table of moves.

A *move* has an ``origin`` and a ``destination`` unit (None: outside the units looked at, e.g. another
province, a graduate or a person leaving the register), a ``year`` and a ``role_level``. For each unit and
year:

inflow          moves into the unit from anywhere else
outflow         moves out of the unit to anywhere else
internal        moves between two firms of the same unit (cities only; a firm has no internal moves)
net             inflow − outflow;  net_per_1000 = 1000 · net / employment
churn_per_1000  1000 · (inflow + outflow) / employment
brain_gain      inflow / outflow (None without outflow)

Poaching (互挖墙角) between two units A, B: a_to_b, b_to_a, mutual = min(a_to_b, b_to_a) and each direction
per 1,000 employees of the unit losing staff. Small cells are suppressed (:func:`suppress_small`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Staff groups of ``talent_moves.role_level``.
ROLE_GROUPS = {
    "all": ("全部人员", "all staff", None),
    "senior": ("高管与高级技术人员", "executives and senior engineers", ("executive", "senior_engineer")),
    "technical": ("技术人员", "engineers and technicians", ("senior_engineer", "engineer", "technician")),
}
FLOW_COLUMNS = ("unit", "year", "inflow", "outflow", "internal", "net", "employment", "net_per_1000",
                "churn_per_1000", "brain_gain", "suppressed")
PAIR_COLUMNS = ("unit_a", "unit_b", "year", "a_to_b", "b_to_a", "mutual", "total", "a_to_b_per_1000",
                "b_to_a_per_1000", "suppressed")


def select_staff(moves: pd.DataFrame, staff: str) -> pd.DataFrame:
    """The moves of one :data:`ROLE_GROUPS` group (``role_level`` column)."""
    if staff not in ROLE_GROUPS:
        raise ValueError(f"staff must be one of {', '.join(ROLE_GROUPS)}, not {staff!r}")
    roles = ROLE_GROUPS[staff][2]
    return moves if roles is None else moves[moves.role_level.isin(roles)]


def _per_1000(count, employment) -> np.ndarray:
    count, employment = np.asarray(count, float), np.asarray(employment, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(employment > 0, 1000 * count / employment, np.nan)


def calc_unit_flows(moves: pd.DataFrame, employment: pd.DataFrame | None = None) -> pd.DataFrame:
    """Inflow, outflow, internal and net moves of every unit and year.

    Parameters
    ----------
    moves : pandas.DataFrame
        ``origin``, ``destination`` (unit ids or None), ``year``.
    employment : pandas.DataFrame, optional
        ``unit, year, employment`` (the rates are None without it).

    Returns
    -------
    pandas.DataFrame
        :data:`FLOW_COLUMNS` (``suppressed`` False: see :func:`suppress_small`), by unit and year.
    """
    same = moves.origin.notna() & (moves.origin == moves.destination)
    crossing = moves[~same]
    out = crossing[crossing.origin.notna()].groupby(["origin", "year"]).size().rename("outflow")
    into = crossing[crossing.destination.notna()].groupby(["destination", "year"]).size().rename("inflow")
    inside = moves[same].groupby(["origin", "year"]).size().rename("internal")
    out.index.names = into.index.names = inside.index.names = ["unit", "year"]
    flows = pd.concat([into, out, inside], axis=1).fillna(0).astype("int64").reset_index()
    if employment is not None:
        flows = flows.merge(employment[["unit", "year", "employment"]], on=["unit", "year"], how="left")
    else:
        flows["employment"] = np.nan
    flows["net"] = flows.inflow - flows.outflow
    flows["net_per_1000"] = _per_1000(flows.net, flows.employment)
    flows["churn_per_1000"] = _per_1000(flows.inflow + flows.outflow, flows.employment)
    flows["brain_gain"] = np.where(flows.outflow > 0, flows.inflow / flows.outflow.where(flows.outflow > 0), np.nan)
    flows["suppressed"] = False
    return flows.sort_values(["unit", "year"]).reset_index(drop=True)[list(FLOW_COLUMNS)]


def calc_pair_flows(moves: pd.DataFrame, employment: pd.DataFrame | None = None) -> pd.DataFrame:
    """Moves between every pair of units (both known and different), both directions, per year.

    Returns
    -------
    pandas.DataFrame
        :data:`PAIR_COLUMNS`, one row per unordered pair (``unit_a`` < ``unit_b``) and year, by ``total``
        descending; ``a_to_b_per_1000`` per 1,000 employees of ``unit_a`` (the unit losing staff).
    """
    known = moves[moves.origin.notna() & moves.destination.notna() & (moves.origin != moves.destination)]
    directed = known.groupby(["origin", "destination", "year"]).size().rename("moves").reset_index()
    first = directed.origin < directed.destination
    directed["unit_a"] = np.where(first, directed.origin, directed.destination)
    directed["unit_b"] = np.where(first, directed.destination, directed.origin)
    directed["a_to_b"] = np.where(first, directed.moves, 0)
    directed["b_to_a"] = np.where(first, 0, directed.moves)
    pairs = directed.groupby(["unit_a", "unit_b", "year"], as_index=False)[["a_to_b", "b_to_a"]].sum()
    pairs["mutual"] = np.minimum(pairs.a_to_b, pairs.b_to_a)
    pairs["total"] = pairs.a_to_b + pairs.b_to_a
    if employment is not None:
        staff = employment.set_index(["unit", "year"]).employment
        pairs["a_to_b_per_1000"] = _per_1000(pairs.a_to_b, staff.reindex(list(zip(pairs.unit_a, pairs.year))))
        pairs["b_to_a_per_1000"] = _per_1000(pairs.b_to_a, staff.reindex(list(zip(pairs.unit_b, pairs.year))))
    else:
        pairs["a_to_b_per_1000"] = pairs["b_to_a_per_1000"] = np.nan
    pairs["suppressed"] = False
    pairs = pairs.sort_values(["year", "total", "unit_a", "unit_b"], ascending=[True, False, True, True])
    return pairs.reset_index(drop=True)[list(PAIR_COLUMNS)]


def suppress_small(frame: pd.DataFrame, counts: list[str], derived: dict[str, list[str]], min_moves: int
                   ) -> pd.DataFrame:
    """Blank (None) every count of ``counts`` between 1 and ``min_moves`` − 1, and every column of
    ``derived[count]`` computed from a blanked count; ``suppressed`` says a row lost a cell.

    Zeros stay (they reveal no person). ``min_moves`` ≤ 1 suppresses nothing.
    """
    out = frame.copy()
    hidden_any = pd.Series(False, index=out.index)
    masks = {}
    for column in counts:
        values = out[column]
        masks[column] = (values > 0) & (values < min_moves)
    for column in counts:
        hidden = masks[column]
        hidden_any |= hidden
        out[column] = out[column].astype(object).where(~hidden, None)
        for dependent in derived.get(column, []):
            out[dependent] = out[dependent].astype(object).where(~hidden, None)
    out["suppressed"] = out.get("suppressed", False) | hidden_any
    return out


#: Columns derived from each count of :func:`calc_unit_flows` (blanked with it).
FLOW_DERIVED = {"inflow": ["net", "net_per_1000", "churn_per_1000", "brain_gain"],
                "outflow": ["net", "net_per_1000", "churn_per_1000", "brain_gain"], "internal": []}
PAIR_DERIVED = {"a_to_b": ["mutual", "total", "a_to_b_per_1000"], "b_to_a": ["mutual", "total", "b_to_a_per_1000"]}


def calc_rival_losses(moves: pd.DataFrame, share: float, min_moves: int) -> pd.DataFrame:
    """Units that lose at least ``share`` of their departures in a year to one rival unit (and at least
    ``min_moves`` moves to it): the poaching alert.

    Returns
    -------
    pandas.DataFrame
        ``unit, rival, year, moves_to_rival, departures, rival_share``, by rival_share descending.
    """
    leaving = moves[moves.origin.notna() & (moves.origin != moves.destination)]
    departures = leaving.groupby(["origin", "year"]).size().rename("departures")
    to_rival = leaving[leaving.destination.notna()].groupby(["origin", "destination", "year"]).size()
    frame = to_rival.rename("moves_to_rival").reset_index().join(departures, on=["origin", "year"])
    frame["rival_share"] = frame.moves_to_rival / frame.departures
    fired = frame[(frame.rival_share >= share) & (frame.moves_to_rival >= max(min_moves, 1))]
    fired = fired.rename(columns={"origin": "unit", "destination": "rival"})
    return fired.sort_values(["rival_share", "moves_to_rival", "unit"], ascending=[False, False, True]) \
        .reset_index(drop=True)[["unit", "rival", "year", "moves_to_rival", "departures", "rival_share"]]
