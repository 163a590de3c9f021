"""Industrial-chain maps (产业链图谱): segment metrics, weak links (短板), the firm network and the
firm-level systemic-risk cascade (Diem et al. 2022, ESRI) with shock scenarios."""

# --- chain map (产业链图谱) and weak links (短板): chainmap.py, segments.py, tables.py, weak.py
from .chainmap import ChainMap, chain_graph, chain_map, chain_tables, picture_frames, weak_links  # noqa: E402,F401
from .weak import evaluate_weak_links, load_rules as load_weak_link_rules  # noqa: E402,F401
