"""Cluster monitoring metrics (ibis expressions; pure functions, no I/O).

Public API
----------
cluster_strength, calc_cluster_strength
    LQ, US Cluster Mapping strength flags and European Cluster Observatory stars.
load_catalogue
    The indicator catalogue (``data/indicators.yaml``).
compute_indicators, write_indicator_results, Options
    Every catalogue indicator per cluster × region × year; store them in ``indicator_results``.
store_strength
    Strength flags for the store's cities.
load_alerts, evaluate_alerts
    Alert rules (``data/alerts.yaml``) and what fires.
"""

from .base import Options
from .catalogue import load_catalogue
from .compute import compute_indicators, store_strength, write_indicator_results
from .strength import calc_cluster_strength, cluster_strength

__all__ = ["cluster_strength", "calc_cluster_strength", "load_catalogue", "compute_indicators",
           "write_indicator_results", "store_strength", "Options"]
