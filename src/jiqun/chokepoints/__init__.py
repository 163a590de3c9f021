"""Chokepoint-technology inventory (卡脖子技术攻关清单): dependency screening of products (HS6) under the
EU 2021 and CEPII GeoDep criteria or a user's set, the technology base from patents, the three classes
by explicit rules, the breakthrough window and the priority (docs/chokepoints.md)."""

from .classify import ClassRules, ClassRulesError, classify_items, load_class_rules
from .criteria import CriteriaError, CriteriaSet, Criterion, evaluate_criteria, load_criteria, shipped_criteria
from .dependency import screen
from .inventory import InventoryError, chokepoint_inventory
from .ranking import priority_scores, window_estimate
from .screening import MEASURE_COLUMNS, NO_EXPORTS_RATIO, ScreeningError, trade_measures
from .technology import TechnologyError, technology_base

__all__ = ["screen", "trade_measures", "evaluate_criteria", "load_criteria", "shipped_criteria", "CriteriaSet",
           "Criterion", "CriteriaError", "ScreeningError", "MEASURE_COLUMNS", "NO_EXPORTS_RATIO",
           "chokepoint_inventory", "InventoryError", "technology_base", "TechnologyError", "classify_items",
           "load_class_rules", "ClassRules", "ClassRulesError", "window_estimate", "priority_scores"]
