"""Competitiveness evaluation: normalisation, weights, aggregation, rank uncertainty, typology.

The methods are pure numpy functions (arrays in, arrays out, no I/O); :mod:`.run`
assembles them into an evaluation of clusters driven by a YAML scheme (:mod:`.scheme`).
"""

from .aggregate import GEM_FACTORS, gem_score, topsis, weighted_sum
from .normalize import normalize
from .weights import (
    SAATY_RI,
    AHPInconsistentError,
    AHPResult,
    ahp_consistency,
    ahp_weights,
    combine_weights,
    critic_weights,
    entropy_weights,
    equal_weights,
    fixed_weights,
)

__all__ = [
    "AHPInconsistentError", "AHPResult", "GEM_FACTORS", "SAATY_RI", "ahp_consistency", "ahp_weights",
    "combine_weights", "critic_weights", "entropy_weights", "equal_weights", "fixed_weights", "gem_score",
    "normalize", "topsis", "weighted_sum",
]
