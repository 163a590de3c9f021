"""Tier candidates, near misses and growth ladders per cluster (梯度培育: the list a city bureau works from).

:func:`tier_lists` is pure (panels and criteria in, frames out); :func:`firm_tiers` reads the store.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import marts
from .measures import MEASURES, firm_panel, tier_measures
from .tiers import LADDER, TIERS, assess_tiers, highest_open_tier, load_criteria, next_rung

#: The store's recognised status (``firms.srdi_level``, ``firms.single_champion``) as a rung of the ladder.
RECOGNISED = {"provincial": "srdi_sme", "little_giant": "little_giant"}
STATES = {1.0: ("met", "全部满足"), 0.0: ("missed", "未满足"), None: ("open", "可评项满足，其余待核实")}
#: Tiers defined by world market position: listed only where the store shows that position (their
#: ``market`` requirement met); years since founding and profit margins alone would list most firms.
NEEDS_MARKET_DATA = ("single_champion", "hidden_champion")
#: Requirements a firm cannot work towards: a large firm is not "one step short" of an SME tier.
NOT_ACTIONABLE = ("size",)
CANDIDATE_COLUMNS = ("cluster_id", "city_code", "uscc", "name", "tier", "tier_zh", "state", "state_zh",
                     "recognised", "recognised_zh", "n_requirements", "n_met", "n_missed", "n_open", "missed",
                     "revenue", "employment")


@dataclass
class FirmTierLists:
    """What :func:`tier_lists` returns.

    Attributes
    ----------
    candidates : pandas.DataFrame
        :data:`CANDIDATE_COLUMNS`: per cluster firm, the highest rung not missed above the rung it holds,
        and every firm not missing the hidden-champion screen.
    close : pandas.DataFrame
        The same columns for the rung just above each firm's highest open rung where exactly one
        requirement is missed (差一项).
    ladder : pandas.DataFrame
        ``cluster_id, city_code, uscc, name, tier_before, tier, year_before, year``: firms whose highest open
        rung rose between the two years.
    criteria : pandas.DataFrame
        Criterion rows (see :class:`jiqun.firms.tiers.TierAssessment`) of the listed firms and tiers.
    year : int
    """

    candidates: pd.DataFrame
    close: pd.DataFrame
    ladder: pd.DataFrame
    criteria: pd.DataFrame
    year: int


def recognised_rung(panel: pd.DataFrame) -> pd.Series:
    """The rung each firm already holds (None when none): single champion above the 专精特新 levels."""
    rung = panel.srdi_level.map(RECOGNISED).astype(object)
    rung[panel.single_champion.fillna(False).astype(bool).to_numpy()] = "single_champion"
    return rung.where(rung.notna(), None)


def tier_zh(rung) -> str:
    """The Chinese name of a rung (无 for none: None or NaN)."""
    return TIERS[rung][0] if isinstance(rung, str) and rung in TIERS else "无"


def _rank(rung) -> int:
    return LADDER.index(rung) if isinstance(rung, str) and rung in LADDER else -1


def _rows(tiers: pd.DataFrame, panel: pd.DataFrame, wanted: pd.DataFrame) -> pd.DataFrame:
    """Tier rows of the (uscc, tier) pairs in ``wanted`` with the firm's facts, in CANDIDATE_COLUMNS."""
    rows = wanted.merge(tiers, on=["uscc", "tier"]).merge(panel, on="uscc", how="left")
    held = recognised_rung(rows) if len(rows) else pd.Series(dtype=object)
    rows["recognised"] = pd.Series([rung if isinstance(rung, str) else None for rung in held], index=rows.index,
                                   dtype=object)
    rows["recognised_zh"] = [tier_zh(rung) for rung in held]
    rows["tier_zh"] = [tier_zh(tier) for tier in rows.tier]
    state = [None if pd.isna(value) else float(value) for value in rows.state]
    rows["state"] = [STATES[value][0] for value in state]
    rows["state_zh"] = [STATES[value][1] for value in state]
    rows["city_code"] = rows.region_code.str.slice(0, 4) + "00"
    return rows


def tier_lists(panel: pd.DataFrame, members: pd.DataFrame, criteria: pd.DataFrame | None = None,
               panel_before: pd.DataFrame | None = None) -> FirmTierLists:
    """Candidates, near misses and ladder moves of the firms of ``panel``.

    Parameters
    ----------
    panel : pandas.DataFrame
        :data:`jiqun.firms.measures.PANEL_COLUMNS` and ``year``.
    members : pandas.DataFrame
        ``uscc, cluster_id`` (a firm may serve several clusters: it is listed in each).
    criteria : pandas.DataFrame, optional
        The tier criteria (default :func:`jiqun.firms.tiers.load_criteria`).
    panel_before : pandas.DataFrame, optional
        The panel of the year before, for the ladder (no ladder without it).
    """
    criteria = load_criteria() if criteria is None else criteria
    assessment = assess_tiers(tier_measures(panel), criteria)
    tiers = _listable(assessment)
    reached = highest_open_tier(tiers)
    held = recognised_rung(panel).set_axis(panel.uscc)
    wanted = [(uscc, rung) for uscc, rung in reached.items() if rung and _rank(rung) > _rank(held.get(uscc))]
    hidden = tiers[(tiers.tier == "hidden_champion") & tiers.state.ne(0.0)]
    wanted += [(uscc, "hidden_champion") for uscc in hidden.uscc]
    near = []
    for uscc in panel.uscc:
        above = next_rung(reached.get(uscc))
        if above is not None and _rank(above) > _rank(held.get(uscc)):
            near.append((uscc, above))
    near_frame = tiers.merge(pd.DataFrame(near, columns=["uscc", "tier"]), on=["uscc", "tier"])
    near_frame = near_frame[(near_frame.n_missed == 1) & near_frame.listable & ~near_frame.missed.isin(NOT_ACTIONABLE)][["uscc", "tier"]]
    candidates = _with_clusters(_rows(tiers, panel, pd.DataFrame(wanted, columns=["uscc", "tier"])), members)
    close = _with_clusters(_rows(tiers, panel, near_frame), members)
    ladder = _ladder(panel, panel_before, reached, criteria, members)
    listed = pd.concat([candidates[["uscc", "tier"]], close[["uscc", "tier"]]]).drop_duplicates()
    detail = assessment.criteria_for(listed)
    detail["basis"] = [MEASURES[measure][1] for measure in detail.measure]
    return FirmTierLists(candidates, close, ladder, detail, int(panel.year.iloc[0]) if len(panel) else 0)


def _listable(assessment) -> pd.DataFrame:
    """The tier states, a :data:`NEEDS_MARKET_DATA` tier counting as missed (for listing only) where its
    market requirement is not met on the stored data."""
    tiers = assessment.tiers.copy()
    requirements = assessment.requirements
    shown = requirements[requirements.tier.isin(NEEDS_MARKET_DATA) & (requirements.requirement == "market")
                         & (requirements.state == 1.0)]
    known = set(zip(shown.uscc, shown.tier))
    hide = tiers.tier.isin(NEEDS_MARKET_DATA) & ~pd.Series([pair in known for pair in zip(tiers.uscc, tiers.tier)],
                                                           index=tiers.index)
    tiers["listable"] = ~hide
    tiers.loc[hide, "state"] = 0.0
    return tiers


def _with_clusters(rows: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    rows = rows.merge(members[["uscc", "cluster_id"]], on="uscc")
    rows["tier_order"] = [-_rank(tier) if tier in LADDER else 1 for tier in rows.tier]
    rows = rows.sort_values(["cluster_id", "tier_order", "n_missed", "n_met", "revenue", "uscc"],
                            ascending=[True, True, True, False, False, True], na_position="last")
    return rows[list(CANDIDATE_COLUMNS)].reset_index(drop=True)


def _ladder(panel, panel_before, reached, criteria, members) -> pd.DataFrame:
    columns = ["cluster_id", "city_code", "uscc", "name", "tier_before", "tier_before_zh", "tier", "tier_zh",
               "year_before", "year"]
    if panel_before is None or panel_before.empty:
        return pd.DataFrame(columns=columns)
    before = highest_open_tier(_listable(assess_tiers(tier_measures(panel_before), criteria)))
    moved = [(uscc, before.get(uscc), rung) for uscc, rung in reached.items()
             if _rank(rung) > _rank(before.get(uscc)) and uscc in before.index]
    frame = pd.DataFrame(moved, columns=["uscc", "tier_before", "tier"]).merge(panel, on="uscc")
    frame["tier_before"] = pd.Series([rung if isinstance(rung, str) else None for rung in frame.tier_before],
                                     index=frame.index, dtype=object)
    frame["tier_before_zh"] = [tier_zh(rung) for rung in frame.tier_before]
    frame["tier_zh"] = [tier_zh(rung) for rung in frame.tier]
    frame["year_before"] = int(panel_before.year.iloc[0])
    frame["city_code"] = frame.region_code.str.slice(0, 4) + "00"
    frame = frame.merge(members[["uscc", "cluster_id"]], on="uscc")
    return frame.sort_values(["cluster_id", "uscc"])[columns].reset_index(drop=True)


def firm_tiers(con, year: int | None = None, cluster_id: str | None = None,
               criteria: pd.DataFrame | None = None) -> FirmTierLists:
    """:func:`tier_lists` on a store: the cluster firms of the province in ``year`` (default the latest
    year of ``firm_years``), the year before for the ladder.

    Raises
    ------
    ValueError
        ``year`` has no firm accounts (the message lists the years that do).
    """
    years = sorted(int(v) for v in con.table("firm_years").select("year").distinct().to_pandas().year)
    if not years:
        raise ValueError("the store has no firm accounts (firm_years is empty): load firm_years first")
    year = years[-1] if year is None else int(year)
    if year not in years:
        raise ValueError(f"year {year} has no firm accounts; choose one of {', '.join(map(str, years))}")
    members = marts.firm_clusters(con).select("uscc", "cluster_id").to_pandas()
    if cluster_id is not None:
        members = members[members.cluster_id == cluster_id]
    panel = firm_panel(con, year, list(members.uscc.unique()) if cluster_id else None)
    before = firm_panel(con, year - 1, list(panel.uscc)) if year - 1 in years else None
    return tier_lists(panel, members, criteria, before)


def criteria_records(detail: pd.DataFrame) -> dict[tuple[str, str], list[dict]]:
    """(uscc, tier) → the contract's criteria objects: ``criterion``, ``met`` (true/false/null),
    ``value``, ``threshold`` and the rule's words, operator, basis and source."""
    out: dict[tuple[str, str], list[dict]] = {}
    for row in detail.itertuples(index=False):
        met = None if math.isnan(row.met) else bool(row.met == 1.0)
        value = None if row.value is None or (isinstance(row.value, float) and not np.isfinite(row.value)) \
            else float(row.value)
        out.setdefault((row.uscc, row.tier), []).append({
            "criterion": row.criterion, "met": met, "value": value, "threshold": float(row.threshold),
            "op": row.op, "name_zh": row.name_zh, "requirement": row.requirement, "alternative": row.alternative,
            "basis": row.basis, "source": row.source, "verified": row.verified == "yes",
            "note": row.note or None})
    return out
