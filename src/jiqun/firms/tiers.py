"""MIIT's tiers of quality SMEs (优质中小企业梯度培育) and hidden champions: criteria as data, assessed
with three-valued logic.

A tier's criteria live in ``data/tiers.csv`` (one row per criterion, with its source and whether its
threshold was checked against the source's text; ``data/sources.csv`` names the sources). A tier is met
when every *requirement* is met; a requirement is met when any of its *alternatives* is; an
alternative is met when all its criteria are (Kleene logic: a criterion whose data the store lacks is
``None`` — "not assessable" — and never counts as met).

Each measure comes as an interval [low, high]: exact figures have low = high; a figure that only bounds
the quantity (years since founding bound the years in a niche from above, granted invention patents
bound the Ⅰ类 IP from below) has one open end, so it can refute a criterion or confirm it but not both.

The functions are pure: frames in, frames out.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

#: MIIT's ladder, lowest first, then the hidden champion (Simon), which is not an MIIT tier.
TIERS = {
    "innovative_sme": ("创新型中小企业", "innovative SME"),
    "srdi_sme": ("专精特新中小企业", "specialised, refined, distinctive, innovative (SRDI) SME"),
    "little_giant": ("专精特新“小巨人”企业", "SRDI 'little giant'"),
    "single_champion": ("制造业单项冠军企业", "manufacturing single champion"),
    "hidden_champion": ("隐形冠军（Simon）", "hidden champion (Simon)"),
}
LADDER = ("innovative_sme", "srdi_sme", "little_giant", "single_champion")
OPERATORS = (">=", ">", "<=", "<")
CRITERIA_COLUMNS = ("tier", "requirement", "alternative", "criterion", "name_zh", "measure", "op", "threshold",
                    "source", "verified", "note")


class CriteriaError(ValueError):
    """A criteria table that cannot be assessed (unknown tier, operator or measure)."""


@lru_cache(maxsize=1)
def _shipped(name: str) -> pd.DataFrame:
    with resources.files("jiqun.firms").joinpath("data", name).open(encoding="utf-8") as handle:
        return pd.read_csv(handle, dtype=str, keep_default_na=False)


def load_criteria() -> pd.DataFrame:
    """The shipped tier criteria (``data/tiers.csv``), thresholds as floats."""
    criteria = _shipped("tiers.csv").copy()
    criteria["threshold"] = criteria.threshold.astype(float)
    return criteria


def load_sources() -> pd.DataFrame:
    """The sources the criteria cite (``data/sources.csv``): title, the copies checked, how."""
    return _shipped("sources.csv").copy()


def check_criteria(criteria: pd.DataFrame, measures: set[str]) -> None:
    """Refuse a criteria table with a missing column, unknown tier, operator or measure (one message)."""
    missing = [column for column in CRITERIA_COLUMNS if column not in criteria]
    if missing:
        raise CriteriaError(f"criteria table lacks column(s) {', '.join(missing)}")
    problems = []
    for position, row in criteria.reset_index(drop=True).iterrows():
        where = f"criteria row {position + 2} ({row.criterion})"
        if row.tier not in TIERS:
            problems.append(f"{where}: tier {row.tier!r} is not one of {', '.join(TIERS)}")
        if row.op not in OPERATORS:
            problems.append(f"{where}: op {row.op!r} is not one of {' '.join(OPERATORS)}")
        if row.measure not in measures:
            problems.append(f"{where}: measure {row.measure!r} is unknown (known: {', '.join(sorted(measures))})")
    if problems:
        raise CriteriaError("; ".join(problems))


def compare_interval(low: np.ndarray, high: np.ndarray, op: str, threshold: float) -> np.ndarray:
    """Three-valued comparison of intervals [low, high] with a threshold.

    Returns
    -------
    numpy.ndarray
        float: 1.0 met, 0.0 missed, NaN not assessable (the interval straddles the threshold or is
        missing). ``low``/``high`` may be ±inf (an open end) or NaN (no data).
    """
    low, high = np.asarray(low, float), np.asarray(high, float)
    if op == ">=":
        met, missed = low >= threshold, high < threshold
    elif op == ">":
        met, missed = low > threshold, high <= threshold
    elif op == "<=":
        met, missed = high <= threshold, low > threshold
    elif op == "<":
        met, missed = high < threshold, low >= threshold
    else:
        raise CriteriaError(f"op {op!r} is not one of {' '.join(OPERATORS)}")
    out = np.full(low.shape, np.nan)
    out[met] = 1.0
    out[missed] = 0.0
    return out


def kleene_all(states: np.ndarray) -> np.ndarray:
    """AND over axis 1 of states (1, 0, NaN): 0 if any is 0, 1 if all are 1, else NaN."""
    out = np.where(np.all(states == 1.0, axis=1), 1.0, np.nan)
    out[np.any(states == 0.0, axis=1)] = 0.0
    return out


def kleene_any(states: np.ndarray) -> np.ndarray:
    """OR over axis 1 of states (1, 0, NaN): 1 if any is 1, 0 if all are 0, else NaN."""
    out = np.where(np.all(states == 0.0, axis=1), 0.0, np.nan)
    out[np.any(states == 1.0, axis=1)] = 1.0
    return out


DETAIL_KEYS = ("tier", "requirement", "alternative", "criterion", "name_zh", "measure", "op", "threshold", "source",
               "verified", "note")


@dataclass
class TierAssessment:
    """Requirement and tier states of every firm, and each criterion's state (as arrays, so that the long
    table of criteria is built only for the firms a list shows: :meth:`criteria_for`).

    Attributes
    ----------
    tiers : pandas.DataFrame
        ``uscc, tier, state`` (1.0 met, 0.0 missed, NaN open), ``n_requirements``, ``n_met``, ``n_missed``,
        ``n_open`` (requirements), ``missed`` (the missed requirements, ``;``-joined).
    requirements : pandas.DataFrame
        ``uscc, tier, requirement, state``.
    uscc : numpy.ndarray
        The firms, in the order of the arrays of ``states``.
    states : list of (dict, dict)
        Per criterion row: its :data:`DETAIL_KEYS` and the arrays ``value, low, high, met``.
    """

    tiers: pd.DataFrame
    requirements: pd.DataFrame
    uscc: np.ndarray
    states: list

    def criteria_for(self, pairs: pd.DataFrame) -> pd.DataFrame:
        """The criterion rows of the (``uscc``, ``tier``) pairs in ``pairs``: :data:`DETAIL_KEYS` and
        ``uscc, value, low, high, met``, by firm in the order of the criteria table."""
        position = pd.Series(np.arange(len(self.uscc)), index=self.uscc)
        wanted = {tier: position.reindex(group.uscc).dropna().astype(int).to_numpy()
                  for tier, group in pairs.groupby("tier")}
        parts = []
        for spec, arrays in self.states:
            rows = wanted.get(spec["tier"])
            if rows is None or not len(rows):
                continue
            parts.append(pd.DataFrame({"uscc": self.uscc[rows], **spec,
                                       **{key: values[rows] for key, values in arrays.items()}}))
        columns = ["uscc", *DETAIL_KEYS, "value", "low", "high", "met"]
        if not parts:
            return pd.DataFrame(columns=columns)
        frame = pd.concat(parts, ignore_index=True)[columns]
        order = {tier: number for number, tier in enumerate(dict.fromkeys(spec["tier"] for spec, _ in self.states))}
        frame["_order"] = np.arange(len(frame))
        return frame.sort_values(["uscc", "tier", "_order"], key=lambda c: c.map(order) if c.name == "tier" else c,
                                 kind="stable").drop(columns="_order").reset_index(drop=True)


def assess_tiers(measures: pd.DataFrame, criteria: pd.DataFrame) -> TierAssessment:
    """Assess every firm of ``measures`` against every tier of ``criteria``.

    Parameters
    ----------
    measures : pandas.DataFrame
        ``uscc`` and, per measure ``m`` the criteria name, ``m`` (the figure shown), ``m_low`` and ``m_high``
        (the interval; NaN = no data, ±inf = open end).
    criteria : pandas.DataFrame
        :data:`CRITERIA_COLUMNS` (see :func:`load_criteria`).

    Returns
    -------
    TierAssessment
    """
    known = {column[:-4] for column in measures.columns if column.endswith("_low")}
    check_criteria(criteria, known)
    n_firms = len(measures)
    uscc = measures.uscc.to_numpy()
    states_out, tier_rows, requirement_rows = [], [], []
    for tier, tier_criteria in criteria.groupby("tier", sort=False):
        requirement_states = []
        requirements = list(dict.fromkeys(tier_criteria.requirement))
        for requirement in requirements:
            chosen = tier_criteria[tier_criteria.requirement == requirement]
            alternative_states = []
            for _alternative, members in chosen.groupby("alternative", sort=False):
                states = []
                for criterion in members.itertuples(index=False):
                    low = measures[f"{criterion.measure}_low"].to_numpy(float)
                    high = measures[f"{criterion.measure}_high"].to_numpy(float)
                    met = compare_interval(low, high, criterion.op, criterion.threshold)
                    states.append(met)
                    states_out.append(({key: getattr(criterion, key) for key in DETAIL_KEYS},
                                       {"value": measures[criterion.measure].to_numpy(float), "low": low,
                                        "high": high, "met": met}))
                alternative_states.append(kleene_all(np.column_stack(states)))
            requirement_states.append(kleene_any(np.column_stack(alternative_states)))
            requirement_rows.append(pd.DataFrame({"uscc": uscc, "tier": tier, "requirement": requirement,
                                                  "state": requirement_states[-1]}))
        stacked = np.column_stack(requirement_states) if requirement_states else np.ones((n_firms, 0))
        missed = stacked == 0.0
        missed_names = [";".join(name for name, flag in zip(requirements, row) if flag) if row.any() else ""
                        for row in missed]
        tier_rows.append(pd.DataFrame({
            "uscc": uscc, "tier": tier, "state": kleene_all(stacked),
            "n_requirements": len(requirements), "n_met": (stacked == 1.0).sum(axis=1),
            "n_missed": missed.sum(axis=1), "n_open": np.isnan(stacked).sum(axis=1),
            "missed": missed_names}))
    empty = pd.DataFrame(columns=["uscc", "tier", "state", "n_requirements", "n_met", "n_missed", "n_open", "missed"])
    return TierAssessment(pd.concat(tier_rows, ignore_index=True) if tier_rows else empty,
                          pd.concat(requirement_rows, ignore_index=True) if requirement_rows
                          else pd.DataFrame(columns=["uscc", "tier", "requirement", "state"]),
                          uscc, states_out)


#: The SME rungs each build on the one below (MIIT selects 专精特新 from 创新型 and 小巨人 from 专精特新 firms);
#: the single champion is open to firms of any size.
REQUIRES = {"srdi_sme": "innovative_sme", "little_giant": "srdi_sme"}


def highest_open_tier(tiers: pd.DataFrame) -> pd.Series:
    """Per firm, the highest rung of :data:`LADDER` not missed (met or open), a rung counting only when
    the rung it builds on (:data:`REQUIRES`) is not missed either; None when every rung is missed.

    Parameters
    ----------
    tiers : pandas.DataFrame
        ``uscc, tier, state`` (as :attr:`TierAssessment.tiers`).
    """
    ladder = tiers[tiers.tier.isin(LADDER)].pivot(index="uscc", columns="tier", values="state")
    reached = pd.Series([None] * len(ladder), index=ladder.index, dtype=object)
    open_rungs = {}
    for rung in LADDER:
        if rung not in ladder:
            continue
        below = REQUIRES.get(rung)
        open_rungs[rung] = ladder[rung].ne(0.0) & (open_rungs.get(below, True) if below else True)
        reached[open_rungs[rung]] = rung
    return reached


def next_rung(tier: str | None) -> str | None:
    """The rung above ``tier`` on :data:`LADDER` (the first rung for None; None above the top)."""
    if not isinstance(tier, str):
        return LADDER[0]
    position = LADDER.index(tier)
    return LADDER[position + 1] if position + 1 < len(LADDER) else None
