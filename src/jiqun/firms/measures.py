"""The firm measures the tier criteria test (one registry), computed from a firm panel.

:func:`firm_panel` reads the panel from a store (ibis, any backend); :func:`tier_measures` turns it into
intervals [low, high] per measure (pure). A measure the store has no data for is all NaN: its criteria are
"not assessable".
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from ibis import _

from .. import marts
from ..schema.vocab import HOME_PROVINCE_CODE

INF = np.inf
#: Columns of :func:`firm_panel`.
PANEL_COLUMNS = ("uscc", "name", "region_code", "industry_code", "founded_year", "srdi_level", "single_champion",
                 "employment", "revenue", "revenue_prev", "revenue_prev2", "rd", "rd_prev", "profit",
                 "industry_margin", "invention_patents", "utility_patents", "world_rank", "continent_rank",
                 "national_share")


def _band(values: np.ndarray, edges: list[float], points: list[float]) -> np.ndarray:
    """Points of a banded score (``edges`` ascending lower bounds, ``points`` per band); NaN stays NaN."""
    out = np.full(values.shape, np.nan)
    known = ~np.isnan(values)
    out[known] = np.asarray(points, float)[np.searchsorted(edges, values[known], side="right")]
    return out


def _exact(values) -> tuple:
    values = np.asarray(values, float)
    return values, values, values


def _upper_bound(values) -> tuple:
    values = np.asarray(values, float)
    return values, np.where(np.isnan(values), np.nan, -INF), values


def _lower_bound(values) -> tuple:
    values = np.asarray(values, float)
    return values, values, np.where(np.isnan(values), np.nan, INF)


def _absent(panel) -> tuple:
    nothing = np.full(len(panel), np.nan)
    return nothing, nothing, nothing


def _ratio(numerator, denominator) -> np.ndarray:
    numerator, denominator = np.asarray(numerator, float), np.asarray(denominator, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / denominator, np.nan)


def _innovative_parts(panel: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Lower and upper points of the six indicators of MIIT's 创新型中小企业 score (2022)."""
    n = len(panel)
    inventions = panel.invention_patents.to_numpy(float)
    utility = panel.utility_patents.to_numpy(float)
    # Granted inventions are Ⅰ类 IP (at least band C, 10); a utility model is Ⅱ类 (D, 5); high-value or
    # self-developed status (bands A, B) and other IP are not stored, so the top stays 20.
    ip_low = np.where(inventions >= 1, 10.0, np.where(utility >= 1, 5.0, 0.0))
    rd_points = _band(_ratio(panel.rd, panel.revenue), [0.01, 0.02, 0.03, 0.05], [0, 5, 10, 15, 20])
    growth_points = _band(_ratio(panel.revenue, panel.revenue_prev) - 1, [0.0, 0.05, 0.10, 0.15], [0, 5, 10, 15, 20])
    return {
        "ip": (ip_low, np.full(n, 20.0)),
        "rd": (np.nan_to_num(rd_points, nan=0.0), np.nan_to_num(rd_points, nan=20.0)),
        "growth": (np.nan_to_num(growth_points, nan=0.0), np.nan_to_num(growth_points, nan=20.0)),
        "debt": (np.zeros(n), np.full(n, 10.0)),           # 资产负债率: not stored
        "field": (np.full(n, 5.0), np.full(n, 10.0)),      # 战略性新兴产业: not stored
        "main_business": (np.zeros(n), np.full(n, 20.0)),  # 主营业务收入占比: not stored
    }


def _points(panel: pd.DataFrame, parts: tuple[str, ...]) -> tuple:
    scored = _innovative_parts(panel)
    low = sum(scored[part][0] for part in parts)
    high = sum(scored[part][1] for part in parts)
    return low, low, high  # the figure shown is the points already certain


def _revenue_growth_2y(panel: pd.DataFrame) -> np.ndarray:
    """Geometric mean of the last two years' revenue growth."""
    ratio = _ratio(panel.revenue, panel.revenue_prev2)
    with np.errstate(invalid="ignore"):
        return np.sqrt(ratio) - 1


def _rd_share_min_2y(panel: pd.DataFrame) -> np.ndarray:
    return np.fmin(_ratio(panel.rd, panel.revenue), _ratio(panel.rd_prev, panel.revenue_prev)) \
        if len(panel) else np.zeros(0)


def _flag(condition, known) -> np.ndarray:
    """1.0 / 0.0 where ``known``, NaN elsewhere."""
    return np.where(np.asarray(known, bool), np.asarray(condition, bool).astype(float), np.nan)


def _continent_first(panel: pd.DataFrame) -> np.ndarray:
    """First on its continent: continent rank 1, or world rank 1 (the world's first leads its own market)."""
    continent, world = panel.continent_rank.to_numpy(float), panel.world_rank.to_numpy(float)
    first = (continent == 1) | (world == 1)
    return np.where(first, 1.0, np.where(~np.isnan(continent), 0.0, np.nan))


def _sme(panel: pd.DataFrame) -> np.ndarray:
    employment, revenue = panel.employment.to_numpy(float), panel.revenue.to_numpy(float)
    small = (employment < 1000) | (revenue < 4e8)
    unknown = np.isnan(employment) & np.isnan(revenue)
    return np.where(unknown, np.nan, small.astype(float))


#: measure → (Chinese name, how the store bounds it, function(panel) → (value, low, high)).
MEASURES = {
    "sme": ("中小企业（是=1）", "exact", lambda p: _exact(_sme(p))),
    "years_since_founding": ("成立年数", "upper bound of the years in a niche or field",
                             lambda p: _upper_bound(p.year - p.founded_year)),
    "revenue": ("营业收入（元）", "exact", lambda p: _exact(p.revenue)),
    "revenue_band_medium": ("营业收入5000万—1亿元（是=1）", "exact",
                            lambda p: _exact(np.where(p.revenue.isna(), np.nan,
                                                      ((p.revenue >= 5e7) & (p.revenue < 1e8)).astype(float)))),
    "rd_expense": ("研发费用（元）", "exact", lambda p: _exact(p.rd)),
    "rd_expense_avg_2y": ("近两年研发费用均值（元）", "exact", lambda p: _exact((p.rd + p.rd_prev) / 2)),
    "rd_expense_2y": ("近两年研发费用总额（元）", "exact", lambda p: _exact(p.rd + p.rd_prev)),
    "rd_share": ("研发费用占营业收入比重", "exact", lambda p: _exact(_ratio(p.rd, p.revenue))),
    "rd_share_min_2y": ("近两年研发费用占比（较低一年）", "exact", lambda p: _exact(_rd_share_min_2y(p))),
    "revenue_growth_2y": ("近两年营业收入平均增长率", "exact", lambda p: _exact(_revenue_growth_2y(p))),
    "invention_patents": ("已授权发明专利（件）", "lower bound of the Ⅰ类 IP",
                          lambda p: _lower_bound(p.invention_patents)),
    "margin_over_industry": ("利润率高于行业（百分点）", "exact",
                             lambda p: _exact(_ratio(p.profit, p.revenue) - p.industry_margin)),
    "innovative_points": ("创新型中小企业评分（已确定分）", "range",
                          lambda p: _points(p, ("ip", "rd", "growth", "debt", "field", "main_business"))),
    "innovative_points_innovation": ("创新能力指标得分", "range", lambda p: _points(p, ("ip", "rd"))),
    "innovative_points_growth": ("成长性指标得分", "range", lambda p: _points(p, ("growth", "debt"))),
    "innovative_points_specialisation": ("专业化指标得分", "range", lambda p: _points(p, ("field", "main_business"))),
    "world_market_rank_top3": ("全球市场前三（是=1）", "firm_markets (world)",
                               lambda p: _exact(_flag(p.world_rank <= 3, p.world_rank.notna()))),
    "continent_market_first": ("所在大洲市场第一（是=1）", "firm_markets (continent, world)",
                               lambda p: _exact(_continent_first(p))),
    "national_market_share": ("全国细分市场占有率", "firm_markets (national)", lambda p: _exact(p.national_share)),
    **{name: (zh, "not stored", _absent) for name, zh in {
        "innovative_direct": "创新型直通条件", "equity_financing_2y": "近两年股权融资（元）",
        "srdi_points": "专精特新评分", "srdi_direct": "专精特新直通条件", "main_business_share": "主营业务收入占比",
        "debt_ratio": "资产负债率", "rd_staff_share": "研发人员占比",
        "little_giant_direct": "小巨人创新直通条件", "new_product_years": "新产品从事年数",
    }.items()},
}


def tier_measures(panel: pd.DataFrame) -> pd.DataFrame:
    """Every :data:`MEASURES` entry for every firm of ``panel``.

    Parameters
    ----------
    panel : pandas.DataFrame
        :data:`PANEL_COLUMNS` and ``year`` (the assessment year, "上年度"); money in yuan.

    Returns
    -------
    pandas.DataFrame
        ``uscc`` and per measure ``m``: ``m`` (the figure shown), ``m_low``, ``m_high``.
    """
    panel = panel.reset_index(drop=True)
    columns = {"uscc": panel.uscc.to_numpy()}
    for name, (_zh, _basis, compute) in MEASURES.items():
        value, low, high = compute(panel)
        columns[name], columns[f"{name}_low"], columns[f"{name}_high"] = (np.asarray(value, float),
                                                                           np.asarray(low, float),
                                                                           np.asarray(high, float))
    return pd.DataFrame(columns)


def firm_panel(con, year: int, uscc: list[str] | None = None, province: str = HOME_PROVINCE_CODE) -> pd.DataFrame:
    """The panel :func:`tier_measures` needs, for the province firms that belong to a cluster.

    Parameters
    ----------
    con : ibis backend
        A jiqun store (``firms``, ``firm_years``, ``patents``, the cluster catalogue).
    year : int
        The assessment year (its accounts, the two before, patents granted by its end).
    uscc : list of str, optional
        Restrict to these firms.

    Returns
    -------
    pandas.DataFrame
        :data:`PANEL_COLUMNS` and ``year``.
    """
    firms = con.table("firms").filter(_.region_code.startswith(province[:2]))
    members = marts.firm_clusters(con).select("uscc").distinct()
    firms = firms.join(members, "uscc").mutate(firm_industry4=_.industry_code.substr(0, 4))
    if uscc is not None:
        firms = firms.filter(_.uscc.isin(list(uscc)))
    accounts = con.table("firm_years").filter(_.year.between(year - 2, year))
    pivot = accounts.group_by("uscc").aggregate(
        employment=_.employment.max(where=_.year == year),
        revenue=_.revenue_yuan.max(where=_.year == year),
        revenue_prev=_.revenue_yuan.max(where=_.year == year - 1),
        revenue_prev2=_.revenue_yuan.max(where=_.year == year - 2),
        rd=_.rd_expenditure_yuan.max(where=_.year == year),
        rd_prev=_.rd_expenditure_yuan.max(where=_.year == year - 1),
        profit=_.profit_yuan.max(where=_.year == year))
    this_year = con.table("firm_years").filter(_.year == year).join(
        con.table("firms").filter(_.region_code.startswith(province[:2])).select("uscc", "industry_code"), "uscc")
    margins = this_year.group_by(industry4=_.industry_code.substr(0, 4)).aggregate(
        industry_margin=_.profit_yuan.sum() / _.revenue_yuan.sum().nullif(0))
    grants = con.table("patents").filter(_.grant_date.notnull() & (_.grant_date.year() <= year)
                                         & _.applicant_uscc.notnull())
    patents = grants.group_by(patent_uscc=_.applicant_uscc).aggregate(
        invention_patents=(_.patent_type == "invention").cast("int64").sum(),
        utility_patents=(_.patent_type == "utility").cast("int64").sum())
    # Market position: the latest year up to ``year`` each firm reports, its best rank and share per scope.
    markets = con.table("firm_markets").filter(_.year <= year)
    latest = markets.group_by("uscc").aggregate(latest_year=_.year.max())
    reported = markets.join(latest, [markets.uscc == latest.uscc, markets.year == latest.latest_year])
    position = reported.group_by(market_uscc=_.uscc).aggregate(
        world_rank=_.market_rank.min(where=_.scope == "world"),
        continent_rank=_.market_rank.min(where=_.scope == "continent"),
        national_share=_.market_share.max(where=_.scope == "national"))
    joined = (firms.left_join(pivot, "uscc")
              .left_join(margins, firms.firm_industry4 == margins.industry4)
              .left_join(patents, firms.uscc == patents.patent_uscc)
              .left_join(position, firms.uscc == position.market_uscc))
    frame = joined.select(
        "uscc", "name", "region_code", "industry_code", "srdi_level", "single_champion",
        "employment", "revenue", "revenue_prev", "revenue_prev2", "rd", "rd_prev", "profit", "industry_margin",
        "world_rank", "continent_rank", "national_share", founded_year=_.founded_on.year(),
        invention_patents=_.invention_patents.fill_null(0), utility_patents=_.utility_patents.fill_null(0),
    ).to_pandas()
    frame["year"] = int(year)
    for column in ("employment", "revenue", "revenue_prev", "revenue_prev2", "rd", "rd_prev", "profit",
                   "industry_margin", "founded_year", "invention_patents", "utility_patents", "world_rank",
                   "continent_rank", "national_share"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame.sort_values("uscc").reset_index(drop=True)[[*PANEL_COLUMNS, "year"]]
