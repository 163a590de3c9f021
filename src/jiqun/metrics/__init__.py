"""Cluster monitoring metrics (ibis expressions; pure functions, no I/O).

Public API
----------
cluster_strength, calc_cluster_strength
    LQ, US Cluster Mapping strength flags and European Cluster Observatory stars.
load_catalogue
    The indicator catalogue (``data/indicators.yaml``).
indicator_frame, compute_indicator_table
    The catalogue per cluster × region × year computed by the backend's production executor
    (pandas / pyarrow).
compute_indicators
    The same as one portable ibis expression (nothing runs).
write_indicator_results, Options
    Store the catalogue in ``indicator_results``; the engine's options.
indicator_groups, plan_indicators
    The registry of indicator groups and the planner (see docs/architecture.md).
store_strength, store_alerts
    Strength flags for the store's cities; the alerts that fire.
load_alerts, evaluate_alerts
    Alert rules (``data/alerts.yaml``) and what fires.
"""

from .base import Options
from .catalogue import load_catalogue
from .engine import compute_indicator_table, compute_indicators, indicator_frame, write_indicator_results
from .planner import UnknownIndicatorError, plan_indicators
from .registry import indicator_groups
from .store_views import store_alerts, store_strength
from .strength import calc_cluster_strength, cluster_strength

__all__ = ["cluster_strength", "calc_cluster_strength", "load_catalogue", "compute_indicators",
           "compute_indicator_table", "indicator_frame", "write_indicator_results", "store_strength",
           "store_alerts", "Options", "indicator_groups", "plan_indicators", "UnknownIndicatorError"]
