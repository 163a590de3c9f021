"""Cluster monitoring metrics (ibis expressions; pure functions, no I/O)."""

from .strength import calc_cluster_strength, cluster_strength

__all__ = ["cluster_strength", "calc_cluster_strength"]
