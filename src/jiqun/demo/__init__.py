"""Synthetic Jiangsu demo data (``jiqun demo``): every generated value is SYNTHETIC.

Public API
----------
generate(out_dir, scale="small", seed=2024, progress=None)
    Write one loadable file per fact table; return ``[(table, path), ...]`` in load order.
demo_summary(con)
    The headline figures `jiqun demo` prints (cities, clusters, competitiveness ranking) as a dict.
"""

from .generator import SCALES, generate
from .summary import demo_summary

__all__ = ["generate", "SCALES", "demo_summary"]
