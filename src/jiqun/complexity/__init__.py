"""Economic complexity and relatedness (经济复杂度与关联度): RCA (or RTA for patents), M_cp, diversity,
ubiquity, ECI/PCI, proximity, density, COI and COG of locations × products or regions × technologies,
matching Harvard Growth Lab's ``ecomplexity`` (docs/complexity.md). Pure maths: no I/O, no printing."""

from .compute import MEASURES, compute
from .maths import (ComplexityError, calc_cog, calc_coi, calc_density, calc_diversity_ubiquity, calc_eci_pci,
                    calc_mcp, calc_proximity, calc_rca)

__all__ = ["compute", "MEASURES", "ComplexityError", "calc_rca", "calc_mcp", "calc_diversity_ubiquity",
           "calc_eci_pci", "calc_proximity", "calc_density", "calc_coi", "calc_cog"]
