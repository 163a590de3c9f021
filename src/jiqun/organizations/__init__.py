"""Cluster promotion organisations (集群促进机构): an evaluation scheme as data (ESCA's benchmarking areas
and MIIT's expectations) scored by jiqun's cluster evaluation, bronze / silver / gold-like tiers with the
rule that placed each, improvement areas and the cultivation pool (培育库) over the years."""

from .scoring import (INDICATORS, LEVELS, OrganizationScheme, cultivation_pool, improvement_areas, indicator_levels,
                      load_organization_scheme, organization_indicators, organization_tiers)
from .store import ORGANIZATION_COLUMNS, OrganizationEvaluation, evaluate_organizations, organization_panel

__all__ = ["INDICATORS", "LEVELS", "ORGANIZATION_COLUMNS", "OrganizationEvaluation", "OrganizationScheme",
           "cultivation_pool", "evaluate_organizations", "improvement_areas", "indicator_levels",
           "load_organization_scheme", "organization_indicators", "organization_panel", "organization_tiers"]
