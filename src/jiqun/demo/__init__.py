"""Synthetic Jiangsu demo data (``jiqun demo``): every generated value is SYNTHETIC.

Public API
----------
generate(out_dir, scale="small", seed=2024, progress=None)
    Write one loadable file per fact table; return ``[(table, path), ...]`` in load order.
"""

from .generator import SCALES, generate

__all__ = ["generate", "SCALES"]
