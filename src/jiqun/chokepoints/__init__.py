"""Chokepoint-technology inventory (卡脖子技术攻关清单): dependency screening of products (HS6) under the
EU 2021 and CEPII GeoDep criteria or a user's set; later the technology base, the three classes, the
breakthrough window and the priority."""

from .criteria import CriteriaError, CriteriaSet, Criterion, evaluate_criteria, load_criteria, shipped_criteria
from .dependency import screen
from .screening import MEASURE_COLUMNS, NO_EXPORTS_RATIO, ScreeningError, trade_measures

__all__ = ["screen", "trade_measures", "evaluate_criteria", "load_criteria", "shipped_criteria", "CriteriaSet",
           "Criterion", "CriteriaError", "ScreeningError", "MEASURE_COLUMNS", "NO_EXPORTS_RATIO"]
