"""Input checks shared by the evaluation methods (numpy in, numpy out; no I/O)."""

from __future__ import annotations

import numpy as np


def as_matrix(matrix, name: str = "matrix", min_rows: int = 1) -> np.ndarray:
    """Return ``matrix`` as a finite 2-D float array (alternatives x criteria) or raise ValueError."""
    x = np.asarray(matrix, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"{name} must be 2-D (alternatives x criteria), got shape {x.shape}")
    if x.shape[0] < min_rows or x.shape[1] < 1:
        raise ValueError(f"{name} needs at least {min_rows} alternatives and 1 criterion, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        bad = np.argwhere(~np.isfinite(x))[0]
        raise ValueError(f"{name} holds a missing or infinite value (row {bad[0]}, column {bad[1]})")
    return x


def as_directions(directions, n_criteria: int) -> np.ndarray:
    """+1 (benefit) / -1 (cost) per criterion; ``None`` means all benefit."""
    if directions is None:
        return np.ones(n_criteria)
    d = np.asarray(directions, dtype=float).reshape(-1)
    if d.shape[0] != n_criteria:
        raise ValueError(f"directions has {d.shape[0]} entries for {n_criteria} criteria")
    if not np.all(np.isin(d, (-1.0, 1.0))):
        raise ValueError("directions must hold +1 (benefit) or -1 (cost) only")
    return d


def as_weights(weights, n_criteria: int, tol: float = 1e-6) -> np.ndarray:
    """Non-negative weights summing to 1 (within ``tol``), one per criterion."""
    w = np.asarray(weights, dtype=float).reshape(-1)
    if w.shape[0] != n_criteria:
        raise ValueError(f"weights has {w.shape[0]} entries for {n_criteria} criteria")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("weights must be finite and non-negative")
    if abs(w.sum() - 1.0) > tol:
        raise ValueError(f"weights must sum to 1, they sum to {w.sum():.6g}")
    return w
