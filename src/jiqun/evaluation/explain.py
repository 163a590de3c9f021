r"""Generated explanations (Chinese and English) of each unit's type.

Each explanation names the type and the rule that put the unit there in words, with the
thresholds it was compared with (:func:`rule_explanations`), the strongest
dimensions with the indicators that carry them, and the weakest dimension (短板, the
target for policy) with its weakest indicator. An indicator's pull on a unit is its
weighted distance from the average unit, :math:`c_{ij} = w_j (r_{ij} - \bar r_j)` on the
benefit-oriented normalised values; ranks are 1 = best.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .typology import TYPES, TYPES_ZH, TypologyRules, classify, rule_tests, thresholds
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
            indicators: list[str], dimension_of: np.ndarray, names: Names, rule: tuple[str, str],
            rank_interval: tuple[int, int] | None = None, type_probability: float | None = None) -> tuple[str, str]:
    """(Chinese, English) explanation for unit ``i``.

    Parameters
    ----------
    dim_scores : (n, K) dimension scores; dim_thirds : (n, K) 0 bottom / 1 middle / 2 top third.
    normalized : (n, m) benefit-oriented normalised indicators; weights : (m,) effective weights.
    dimension_of : (m,) index of each indicator's top-level dimension.
    rule : (Chinese, English) sentence of the typology rule the unit met (:func:`rule_explanations`).
    """
    n = dim_scores.shape[0]
    dranks = dimension_ranks(dim_scores)[i]
    pull = weights * (normalized[i] - normalized.mean(axis=0))
    order = np.argsort(dranks, kind="stable")
    best, worst = int(order[0]), int(order[-1])
    top = [k for k in order if dim_thirds[i, k] == 2] or [best]

    def dimension_zh(k):
        return f"{names.dimensions[dims[k]][0]}（第{dranks[k]}位）"

    def dimension_en(k):
        return f"{names.dimensions[dims[k]][1]} (rank {dranks[k]})"

    def strongest_indicators(chosen_dims, count=2):
        pulling = [indicator for indicator in np.argsort(-pull)
                   if dimension_of[indicator] in chosen_dims and pull[indicator] > 0][:count]
        return pulling or [int(np.argmax(np.where(np.isin(dimension_of, chosen_dims), pull, -np.inf)))]

    weakest_ind = int(np.argmin(np.where(dimension_of == worst, pull, np.inf)))
    strong_ind = strongest_indicators(top[:2])
    ind_zh = "、".join(f"“{names.indicators[indicators[indicator]][0]}”" for indicator in strong_ind)
    ind_en = ", ".join(names.indicators[indicators[indicator]][1] for indicator in strong_ind)

    why_zh, why_en = rule

    extra_zh = extra_en = ""
    if rank_interval is not None:
        extra_zh += f"，90%区间第{rank_interval[0]}–{rank_interval[1]}位"
        extra_en += f", 90% interval {rank_interval[0]}-{rank_interval[1]}"
    if type_probability is not None:
        extra_zh += f"，归为该类型的概率{type_probability:.0%}"
        extra_en += f", probability of this type {type_probability:.0%}"
    zh = (f"{unit_zh}：{TYPES_ZH[type_]}（总分{total:.3f}，第{rank}/{n}位{extra_zh}）——{why_zh}。"
          f"优势维度：{'、'.join(dimension_zh(k) for k in top[:2])}，主要来自{ind_zh}。"
          f"短板：{dimension_zh(worst)}，最弱指标为“{names.indicators[indicators[weakest_ind]][0]}”。")
    en = (f"{unit_en}: {TYPES_EN[type_]} (score {total:.3f}, rank {rank} of {n}{extra_en}) - {why_en}. "
          f"Strengths: {', '.join(dimension_en(k) for k in top[:2])}, carried by {ind_en}. "
          f"Weakest dimension (短板): {dimension_en(worst)}; weakest indicator: "
          f"{names.indicators[indicators[weakest_ind]][1]}.")
    return zh, en


# --------------------------------------------------------------------------- the rule met, in words


def _group_top(quantile: float) -> tuple[str, str]:
    if abs(quantile - 2 / 3) < 1e-9:
        return "前三分之一", "top third"
    return f"前{1 - quantile:.0%}", f"top {1 - quantile:.0%}"


def _group_bottom(quantile: float) -> tuple[str, str]:
    if abs(quantile - 1 / 3) < 1e-9:
        return "后三分之一", "bottom third"
    return f"后{quantile:.0%}", f"bottom {quantile:.0%}"


def _listed(dimensions, values, limits, names, lang: int) -> str:
    """'关键技术控制力0.874（阈值0.436）' / 'Key technology control 0.874 (threshold 0.436)', joined."""
    if lang == 0:
        return "、".join(f"{names[k][0]}{values[k]:.3f}（阈值{limits[k]:.3f}）" for k in dimensions)
    return ", ".join(f"{names[k][1]} {values[k]:.3f} (threshold {limits[k]:.3f})" for k in dimensions)


def rule_explanations(dimension_scores, total, rules: TypologyRules = TypologyRules(),
                      dimension_names: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """The typology rule each unit met, in Chinese and English, with the thresholds.

    Pure: the thresholds are recomputed among the given units exactly as :func:`.typology.classify`
    does, so the sentence always matches the type.

    Parameters
    ----------
    dimension_scores : array_like, shape (n, K)
    total : array_like, shape (n,)
    rules : TypologyRules
    dimension_names : list of (Chinese, English), optional
        One per dimension (default: ``D1``, ``D2``, ...).

    Returns
    -------
    list of (str, str)
        Per unit, e.g. ``("总分0.712位于前三分之一（阈值0.654），且各维度均高于后三分之一阈值（…）",
        "total 0.712 in the top third (threshold 0.654) and no dimension in the bottom third (…)")``.
    """
    scores = np.asarray(dimension_scores, dtype=float)
    totals = np.asarray(total, dtype=float)
    names = dimension_names or [(f"D{k + 1}", f"D{k + 1}") for k in range(scores.shape[1])]
    cut = thresholds(scores, totals, rules)
    tests = rule_tests(scores, totals, rules)
    types = [TYPES[code] for code in classify(scores, totals, rules)]
    groups = {"lead": _group_top(rules.leading_total_quantile), "bottom": _group_bottom(rules.bottom_total_quantile),
              "floor": _group_bottom(rules.leading_dimension_floor),
              "top": _group_top(rules.breakthrough_top_quantile),
              "short": _group_bottom(rules.breakthrough_shortfall_quantile)}
    limits = {"floor": cut.floor[0], "top": cut.top[0], "short": cut.short[0]}
    t_lead, t_bottom = float(cut.total_leading[0]), float(cut.total_bottom[0])
    out = []
    for unit, type_ in enumerate(types):
        parts = {"strength": np.flatnonzero(tests.strength[unit]),
                 "shortfall": np.flatnonzero(tests.shortfall[unit]),
                 "below_floor": np.flatnonzero(tests.below_floor[unit])}
        facts = _UnitFacts(scores[unit], float(totals[unit]), bool(tests.total_top[unit]),
                           bool(tests.total_bottom[unit]), parts, limits, t_lead, t_bottom, names, groups)
        out.append(_SENTENCES[type_](facts))
    return out


@dataclass(frozen=True)
class _UnitFacts:
    scores: np.ndarray
    total: float
    total_top: bool
    total_bottom: bool
    parts: dict
    limits: dict
    t_lead: float
    t_bottom: float
    names: list
    groups: dict

    def dims(self, part: str, limit: str, lang: int) -> str:
        return _listed(self.parts[part], self.scores, self.limits[limit], self.names, lang)

    def group(self, key: str, lang: int) -> str:
        return self.groups[key][lang]


def _leading_sentence(f: _UnitFacts) -> tuple[str, str]:
    margin = f.scores - f.limits["floor"]
    k = int(np.argmin(margin))
    zh = (f"总分{f.total:.3f}位于{f.group('lead', 0)}（阈值{f.t_lead:.3f}），且各维度均高于{f.group('floor', 0)}阈值"
          f"（最接近阈值的{f.names[k][0]}{f.scores[k]:.3f}，阈值{f.limits['floor'][k]:.3f}）")
    en = (f"total {f.total:.3f} in the {f.group('lead', 1)} (threshold {f.t_lead:.3f}) and no dimension in the "
          f"{f.group('floor', 1)} (closest: {f.names[k][1]} {f.scores[k]:.3f}, threshold "
          f"{f.limits['floor'][k]:.3f})")
    return zh, en


def _not_leading(f: _UnitFacts) -> tuple[str, str]:
    zh, en = [], []
    if not f.total_top:
        zh.append(f"总分{f.total:.3f}未进{f.group('lead', 0)}（阈值{f.t_lead:.3f}）")
        en.append(f"total {f.total:.3f} not in the {f.group('lead', 1)} (threshold {f.t_lead:.3f})")
    if len(f.parts["below_floor"]):
        zh.append(f"{f.dims('below_floor', 'floor', 0)}落在{f.group('floor', 0)}")
        en.append(f"{f.dims('below_floor', 'floor', 1)} in the {f.group('floor', 1)}")
    return "，且".join(zh), " and ".join(en)


def _breakthrough_sentence(f: _UnitFacts) -> tuple[str, str]:
    not_zh, not_en = _not_leading(f)
    if np.array_equal(f.parts["below_floor"], f.parts["shortfall"]):  # the shortfall is the reason
        not_zh = (f"总分{f.total:.3f}虽居{f.group('lead', 0)}（阈值{f.t_lead:.3f}），但有上述短板" if f.total_top
                  else f"总分{f.total:.3f}未进{f.group('lead', 0)}（阈值{f.t_lead:.3f}），且有上述短板")
        not_en = (f"total {f.total:.3f} in the {f.group('lead', 1)} (threshold {f.t_lead:.3f}) but with that shortfall"
                  if f.total_top else
                  f"total {f.total:.3f} not in the {f.group('lead', 1)} (threshold {f.t_lead:.3f}) and with that "
                  "shortfall")
    zh = (f"{f.dims('strength', 'top', 0)}居{f.group('top', 0)}，形成突出优势；但{f.dims('shortfall', 'short', 0)}"
          f"落在{f.group('short', 0)}，短板明显；总分{f.total:.3f}不在{f.group('bottom', 0)}（阈值{f.t_bottom:.3f}）；"
          f"不属引领型：{not_zh}")
    en = (f"{f.dims('strength', 'top', 1)} in the {f.group('top', 1)} (a clear strength) but "
          f"{f.dims('shortfall', 'short', 1)} in the {f.group('short', 1)} (a clear shortfall); total {f.total:.3f} "
          f"not in the {f.group('bottom', 1)} (threshold {f.t_bottom:.3f}); not leading: {not_en}")
    return zh, en


def _catch_up_sentence(f: _UnitFacts) -> tuple[str, str]:
    has_strength = len(f.parts["strength"]) > 0
    if f.total_bottom:
        zh = f"总分{f.total:.3f}落在{f.group('bottom', 0)}（阈值{f.t_bottom:.3f}），按规则不评为引领型或突破型"
        en = (f"total {f.total:.3f} in the {f.group('bottom', 1)} (threshold {f.t_bottom:.3f}), which by rule is "
              "never leading or breakthrough")
        if has_strength:
            zh += f"（尽管{f.dims('strength', 'top', 0)}居{f.group('top', 0)}）"
            en += f", although {f.dims('strength', 'top', 1)} in the {f.group('top', 1)}"
        return zh, en
    not_zh, not_en = _not_leading(f)
    if not has_strength:
        brk_zh, brk_en = f"没有维度居{f.group('top', 0)}", f"no dimension in the {f.group('top', 1)}"
    else:
        brk_zh = (f"{f.dims('strength', 'top', 0)}居{f.group('top', 0)}，但没有维度落在{f.group('short', 0)}，"
                  "无明显短板")
        brk_en = (f"{f.dims('strength', 'top', 1)} in the {f.group('top', 1)} but no dimension in the "
                  f"{f.group('short', 1)} (no clear shortfall)")
    zh = (f"总分{f.total:.3f}不在{f.group('bottom', 0)}（阈值{f.t_bottom:.3f}）；不属引领型：{not_zh}；"
          f"不属突破型：{brk_zh}")
    en = (f"total {f.total:.3f} not in the {f.group('bottom', 1)} (threshold {f.t_bottom:.3f}); not leading: "
          f"{not_en}; not breakthrough: {brk_en}")
    return zh, en


_SENTENCES = {"leading": _leading_sentence, "breakthrough": _breakthrough_sentence, "catch_up": _catch_up_sentence}
