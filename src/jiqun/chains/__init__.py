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

__all__ = [
    "CascadeNetwork", "cascade", "esri", "prepare_network", "run_cascade",
    "constant_essentiality", "leontief_essentiality", "linear_essentiality", "read_essentiality_csv",
    "validate_essentiality",
]
