"""The policy registry (政策): department × cluster × instrument matrix, overlaps (九龙治水), gaps against
the shortcomings the monitoring, chain maps and chokepoint inventory find, province–city alignment, budgets,
and keyword suggestions of the instrument (jieba) beside the analyst's coding. Instruments follow the
OECD STIP Compass taxonomy (``jiqun/schema/data/instruments.csv``)."""

from .store import VIEWS, gap_rules, policy_view, policy_years, read_policies, shortcomings
from .tagging import segment, suggest_instrument, suggest_instruments
from .views import (in_force, policy_alignment, policy_budgets, policy_gaps, policy_matrix, policy_overlaps,
                    policy_targets)

__all__ = ["VIEWS", "gap_rules", "in_force", "policy_alignment", "policy_budgets", "policy_gaps", "policy_matrix",
           "policy_overlaps", "policy_targets", "policy_view", "policy_years", "read_policies", "segment",
           "shortcomings", "suggest_instrument", "suggest_instruments"]
