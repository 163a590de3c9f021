"""Criteria sets of the dependency screen (依赖性筛选标准): the shipped EU 2021 and CEPII GeoDep sets and
user sets, declared as data (``data/criteria.yaml``), and their evaluation on the screen's measures.

A criterion on a missing measure is *not assessable* (pandas ``NA``), never met: e.g. the EU set's
import share for one country without its domestic supply.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .screening import MEASURE_COLUMNS

COMPARISONS = {"above": operator.gt, "at_least": operator.ge, "below": operator.lt, "at_most": operator.le}
SHIPPED = Path(str(resources.files(__package__) / "data" / "criteria.yaml"))


class CriteriaError(ValueError):
    """A criteria set that cannot be used; the message names the set, the criterion and the fix."""


@dataclass(frozen=True)
class Criterion:
    id: str
    name_zh: str
    name_en: str
    metric: str
    comparison: str
    threshold: float

    def describe(self) -> str:
        signs = {"above": ">", "at_least": "≥", "below": "<", "at_most": "≤"}
        return f"{self.metric} {signs[self.comparison]} {self.threshold:g}"


@dataclass(frozen=True)
class CriteriaSet:
    id: str
    name_zh: str
    name_en: str
    source: str
    criteria: tuple[Criterion, ...]
    window: int = 1
    at_least: int = 1

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.criteria]


def _criterion(set_id: str, entry: dict) -> Criterion:
    where = f"criteria set {set_id!r}, criterion {entry.get('id', '?')!r}"
    try:
        criterion = Criterion(**{**entry, "threshold": float(entry["threshold"])})
    except (TypeError, KeyError, ValueError) as exc:
        raise CriteriaError(f"{where}: {exc} — give id, name_zh, name_en, metric, comparison and a numeric "
                            "threshold") from None
    if criterion.metric not in MEASURE_COLUMNS:
        raise CriteriaError(f"{where}: metric {criterion.metric!r} is not a measure; choose one of "
                            f"{', '.join(MEASURE_COLUMNS[2:])}")
    if criterion.comparison not in COMPARISONS:
        raise CriteriaError(f"{where}: comparison {criterion.comparison!r} must be one of {', '.join(COMPARISONS)}")
    return criterion


def parse_criteria(data: dict, source: str = "criteria file") -> dict[str, CriteriaSet]:
    """Validate parsed criteria sets (layout of ``data/criteria.yaml``)."""
    if not isinstance(data, dict) or not isinstance(data.get("criteria_sets"), dict):
        raise CriteriaError(f"{source}: expected a mapping 'criteria_sets:' of named sets (see the shipped "
                            "criteria.yaml)")
    sets = {}
    for set_id, entry in data["criteria_sets"].items():
        criteria = tuple(_criterion(set_id, c) for c in entry.get("criteria") or ())
        if not criteria:
            raise CriteriaError(f"{source}: criteria set {set_id!r} has no criteria")
        ids = [c.id for c in criteria]
        if len(set(ids)) != len(ids) or set(ids) & set(MEASURE_COLUMNS):
            raise CriteriaError(f"{source}: criteria set {set_id!r}: criterion ids must be unique and differ from "
                                "the measure names")
        persistence = entry.get("persistence") or {"window": 1, "at_least": 1}
        window, at_least = int(persistence.get("window", 1)), int(persistence.get("at_least", 1))
        if not 1 <= at_least <= window:
            raise CriteriaError(f"{source}: criteria set {set_id!r}: persistence needs 1 ≤ at_least ≤ window")
        if entry.get("combine", "all") != "all":
            raise CriteriaError(f"{source}: criteria set {set_id!r}: only 'combine: all' is supported")
        sets[set_id] = CriteriaSet(set_id, entry.get("name_zh", set_id), entry.get("name_en", set_id),
                                   " ".join(str(entry.get("source", "")).split()), criteria, window, at_least)
    return sets


@lru_cache(maxsize=1)
def shipped_criteria() -> dict[str, CriteriaSet]:
    """The shipped sets: ``geodep`` and ``eu2021``."""
    with open(SHIPPED, encoding="utf-8") as handle:
        return parse_criteria(yaml.safe_load(handle), str(SHIPPED))


def load_criteria(choice) -> CriteriaSet:
    """A criteria set by name (``geodep``, ``eu2021``), from a YAML file (its only set, or the first), or
    a :class:`CriteriaSet` as given."""
    if isinstance(choice, CriteriaSet):
        return choice
    shipped = shipped_criteria()
    if str(choice) in shipped:
        return shipped[str(choice)]
    path = Path(str(choice))
    if not path.suffix.lower() in (".yaml", ".yml") or not path.exists():
        raise CriteriaError(f"criteria {choice!r} is neither a shipped set ({', '.join(shipped)}) nor a YAML file "
                            "that exists — choose one of them")
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except yaml.YAMLError as exc:
        raise CriteriaError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    return next(iter(parse_criteria(data, str(path)).values()))


def evaluate_criteria(measures: pd.DataFrame, criteria: CriteriaSet) -> pd.DataFrame:
    """One nullable boolean column per criterion (NA where its measure is missing), ``n_criteria_met``,
    ``meets_all`` (this year: every criterion True; False if any is False; else NA) and ``dependent``
    (``meets_all`` True in at least ``at_least`` of the ``window`` years ending in the year; years
    missing from the data count as not met; NA when the unknown years could still decide it)."""
    out = measures.copy()
    flags = []
    for criterion in criteria.criteria:
        values = pd.to_numeric(out[criterion.metric], errors="coerce")
        met = pd.array(COMPARISONS[criterion.comparison](values, criterion.threshold), dtype="boolean")
        met[values.isna().to_numpy()] = pd.NA
        out[criterion.id] = met
        flags.append(criterion.id)
    frame = out[flags]
    out["n_criteria_met"] = frame.fillna(False).astype(int).sum(axis=1).astype("int64")
    any_false = (frame == False).any(axis=1)  # noqa: E712  (nullable booleans)
    all_true = frame.fillna(False).all(axis=1)
    meets = pd.array(np.where(all_true, True, False), dtype="boolean")
    meets[(~all_true & ~any_false).to_numpy()] = pd.NA
    out["meets_all"] = meets
    out["dependent"] = _persistent(out, criteria.window, criteria.at_least)
    return out


def _persistent(out: pd.DataFrame, window: int, at_least: int) -> pd.arrays.BooleanArray:
    if window == 1:
        return out["meets_all"].array.copy()
    years = out["t"].astype(int).to_numpy()
    meets = out["meets_all"]
    # State per product-year: 1 met, 0 not met, -1 not assessable; a year absent from the data is 0.
    state = pd.Series(np.where(meets.isna(), -1, meets.fillna(False).astype(int)),
                      index=pd.MultiIndex.from_arrays([out["k"].to_numpy(), years]))
    true_count = np.zeros(len(out), dtype=np.int64)
    unknown_count = np.zeros(len(out), dtype=np.int64)
    for back in range(window):
        earlier = state.reindex(pd.MultiIndex.from_arrays([out["k"].to_numpy(), years - back])).fillna(0).to_numpy()
        true_count += earlier == 1
        unknown_count += earlier == -1
    result = pd.array(true_count >= at_least, dtype="boolean")
    undecided = (true_count < at_least) & (true_count + unknown_count >= at_least)
    result[undecided] = pd.NA
    return result
