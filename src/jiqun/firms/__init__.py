"""Firms of the clusters (企业): leading firms (龙头企业) and where they are controlled from — local
headquarters or branch plants of foreign or out-of-province groups — and the candidates for MIIT's
tiers of quality SMEs (梯度培育: 创新型中小企业, 专精特新, 小巨人, 单项冠军) and hidden champions."""

from .candidates import FirmTierLists, firm_tiers, tier_lists
from .leaders import LEADER_COLUMNS, ORIGINS, firm_origin, leading_firms
from .measures import MEASURES, firm_panel, tier_measures
from .tiers import LADDER, TIERS, TierAssessment, assess_tiers, load_criteria, load_sources

__all__ = ["FirmTierLists", "LADDER", "LEADER_COLUMNS", "MEASURES", "ORIGINS", "TIERS", "TierAssessment",
           "assess_tiers", "firm_origin", "firm_panel", "firm_tiers", "leading_firms", "load_criteria",
           "load_sources", "tier_lists", "tier_measures"]
