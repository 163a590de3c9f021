"""Input checks shared by the evaluation methods (numpy in, numpy out; no I/O)."""

from __future__ import annotations

import numpy as np


def as_matrix(matrix, name: str = "matrix", min_rows: int = 1) -> np.ndarray:
    """Return ``matrix`` as a finite 2-D float array (alternatives x criteria) or raise ValueError."""
    values = np.asarray(matrix, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"{name} must be 2-D (alternatives x criteria), got shape {values.shape}")
    if values.shape[0] < min_rows or values.shape[1] < 1:
        raise ValueError(f"{name} needs at least {min_rows} alternatives and 1 criterion, got shape {values.shape}")
    if not np.all(np.isfinite(values)):
        bad = np.argwhere(~np.isfinite(values))[0]
        raise ValueError(f"{name} holds a missing or infinite value (row {bad[0]}, column {bad[1]})")
    return values


def as_directions(directions, n_criteria: int) -> np.ndarray:
    """+1 (benefit) / -1 (cost) per criterion; ``None`` means all benefit."""
    if directions is None:
        return np.ones(n_criteria)
    signs = np.asarray(directions, dtype=float).reshape(-1)
    if signs.shape[0] != n_criteria:
        raise ValueError(f"directions has {signs.shape[0]} entries for {n_criteria} criteria")
    if not np.all(np.isin(signs, (-1.0, 1.0))):
        raise ValueError("directions must hold +1 (benefit) or -1 (cost) only")
    return signs


def as_weights(weights, n_criteria: int, tol: float = 1e-6) -> np.ndarray:
    """Non-negative weights summing to 1 (within ``tol``), one per criterion."""
    vector = np.asarray(weights, dtype=float).reshape(-1)
    if vector.shape[0] != n_criteria:
        raise ValueError(f"weights has {vector.shape[0]} entries for {n_criteria} criteria")
    if not np.all(np.isfinite(vector)) or np.any(vector < 0):
        raise ValueError("weights must be finite and non-negative")
    if abs(vector.sum() - 1.0) > tol:
        raise ValueError(f"weights must sum to 1, they sum to {vector.sum():.6g}")
    return vector
