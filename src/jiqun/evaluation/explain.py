r"""Generated explanations (Chinese and English) of each unit's type.

Each explanation names the type and the rule that put the unit there, the strongest
dimensions with the indicators that carry them, and the weakest dimension (短板, the
target for policy) with its weakest indicator. An indicator's pull on a unit is its
weighted distance from the average unit, :math:`c_{ij} = w_j (r_{ij} - \bar r_j)` on the
benefit-oriented normalised values; ranks are 1 = best.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .typology import TYPES_ZH
from .uncertainty import ranks_of

TYPES_EN = {"leading": "leading", "breakthrough": "breakthrough", "catch_up": "catch-up"}


@dataclass(frozen=True)
class Names:
    """Display names: ``dimensions`` and ``indicators`` map an id to (Chinese, English)."""

    dimensions: dict[str, tuple[str, str]]
    indicators: dict[str, tuple[str, str]]


def dimension_ranks(dimension_scores) -> np.ndarray:
    """Rank of each unit on each dimension (1 = best); shape (n, K)."""
    return ranks_of(np.asarray(dimension_scores, dtype=float).T).T


def explain(i: int, unit_zh: str, unit_en: str, type_: str, rank: int, total: float, dims: list[str],
            dim_scores: np.ndarray, dim_thirds: np.ndarray, normalized: np.ndarray, weights: np.ndarray,
            indicators: list[str], dimension_of: np.ndarray, names: Names,
            rank_interval: tuple[int, int] | None = None, type_probability: float | None = None) -> tuple[str, str]:
    """(Chinese, English) explanation for unit ``i``.

    Parameters
    ----------
    dim_scores : (n, K) dimension scores; dim_thirds : (n, K) 0 bottom / 1 middle / 2 top third.
    normalized : (n, m) benefit-oriented normalised indicators; weights : (m,) effective weights.
    dimension_of : (m,) index of each indicator's top-level dimension.
    """
    n = dim_scores.shape[0]
    dranks = dimension_ranks(dim_scores)[i]
    pull = weights * (normalized[i] - normalized.mean(axis=0))
    order = np.argsort(dranks, kind="stable")
    best, worst = int(order[0]), int(order[-1])
    top = [k for k in order if dim_thirds[i, k] == 2] or [best]
    bottom = [k for k in order[::-1] if dim_thirds[i, k] == 0]

    def dzh(k):
        return f"{names.dimensions[dims[k]][0]}（第{dranks[k]}位）"

    def den(k):
        return f"{names.dimensions[dims[k]][1]} (rank {dranks[k]})"

    def strongest_indicators(ks, count=2):
        cols = [j for j in np.argsort(-pull) if dimension_of[j] in ks and pull[j] > 0][:count]
        return cols or [int(np.argmax(np.where(np.isin(dimension_of, ks), pull, -np.inf)))]

    weakest_ind = int(np.argmin(np.where(dimension_of == worst, pull, np.inf)))
    strong_ind = strongest_indicators(top[:2])
    ind_zh = "、".join(f"“{names.indicators[indicators[j]][0]}”" for j in strong_ind)
    ind_en = ", ".join(names.indicators[indicators[j]][1] for j in strong_ind)

    if type_ == "leading":
        why_zh = "总分居前三分之一且没有维度落在后三分之一"
        why_en = "total score in the top third and no dimension in the bottom third"
    elif type_ == "breakthrough":
        short = bottom[0] if bottom else worst
        why_zh = f"{names.dimensions[dims[top[0]]][0]}居前三分之一，但{names.dimensions[dims[short]][0]}明显不足"
        why_en = (f"{names.dimensions[dims[top[0]]][1]} in the top third but a clear shortfall in "
                  f"{names.dimensions[dims[short]][1]}")
    elif any(dim_thirds[i] == 2):
        why_zh = "虽有维度居前三分之一，但总分未进前三分之一，且无明显短板"
        why_en = "a dimension in the top third, but the total is not in the top third and there is no clear shortfall"
    else:
        why_zh = "没有维度居前三分之一"
        why_en = "no dimension in the top third"

    extra_zh = extra_en = ""
    if rank_interval is not None:
        extra_zh += f"，90%区间第{rank_interval[0]}–{rank_interval[1]}位"
        extra_en += f", 90% interval {rank_interval[0]}-{rank_interval[1]}"
    if type_probability is not None:
        extra_zh += f"，归为该类型的概率{type_probability:.0%}"
        extra_en += f", probability of this type {type_probability:.0%}"
    zh = (f"{unit_zh}：{TYPES_ZH[type_]}（总分{total:.3f}，第{rank}/{n}位{extra_zh}）——{why_zh}。"
          f"优势维度：{'、'.join(dzh(k) for k in top[:2])}，主要来自{ind_zh}。"
          f"短板：{dzh(worst)}，最弱指标为“{names.indicators[indicators[weakest_ind]][0]}”。")
    en = (f"{unit_en}: {TYPES_EN[type_]} (score {total:.3f}, rank {rank} of {n}{extra_en}) - {why_en}. "
          f"Strengths: {', '.join(den(k) for k in top[:2])}, carried by {ind_en}. "
          f"Weakest dimension (短板): {den(worst)}; weakest indicator: "
          f"{names.indicators[indicators[weakest_ind]][1]}.")
    return zh, en
