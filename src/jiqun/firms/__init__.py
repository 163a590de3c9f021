"""Firms of the clusters (企业): leading firms (龙头企业) and where they are controlled from — local
headquarters or branch plants of foreign or out-of-province groups."""

from .leaders import LEADER_COLUMNS, ORIGINS, firm_origin, leading_firms

__all__ = ["LEADER_COLUMNS", "ORIGINS", "firm_origin", "leading_firms"]
