"""The ``jiqun`` command line: a thin layer over the library (every command calls public API).

Commands are registered on :data:`app` by the modules of this package, one module per group.
Exit status: 0 success, 2 refused input (nothing written), 1 other errors.
"""

from . import data, loads, demo, analysis, chain, chain_map, chain_network, chain_shock, chokepoints, firms, organizations, policy, talent, complexity, iotables, catalogue, names, serve, report  # noqa: F401  (each module registers its commands, in this order)
from .base import app

__all__ = ["app"]
