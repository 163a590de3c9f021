"""Industrial-chain maps (产业链图谱): segment metrics, weak links (短板), the firm network and the
firm-level systemic-risk cascade (Diem et al. 2022, ESRI) with shock scenarios."""

# The firm-level cascade and ESRI (jiqun.chains.cascade, jiqun.chains.essentiality).
from jiqun.chains.cascade import CascadeNetwork, cascade, esri, prepare_network, run_cascade
from jiqun.chains.essentiality import (
    constant_essentiality,
    leontief_essentiality,
    linear_essentiality,
    read_essentiality_csv,
    validate_essentiality,
)

# --- chain map (产业链图谱) and weak links (短板): chainmap.py, segments.py, tables.py, weak.py
from .chainmap import ChainMap, chain_graph, chain_map, chain_maps, chain_tables, picture_frames, weak_links
from .weak import evaluate_weak_links, load_rules as load_weak_link_rules

__all__ = [
    "CascadeNetwork", "cascade", "esri", "prepare_network", "run_cascade",
    "constant_essentiality", "leontief_essentiality", "linear_essentiality", "read_essentiality_csv",
    "validate_essentiality",
    "ChainMap", "chain_graph", "chain_map", "chain_maps", "chain_tables", "picture_frames", "weak_links",
    "evaluate_weak_links", "load_weak_link_rules",
]
