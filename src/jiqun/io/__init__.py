"""Input–output analysis (投入产出分析): read NBS-layout tables, Leontief and Ghosh models, linkages,
import dependence and the concordance from IO sectors to GB/T 4754 divisions (docs/io.md)."""

from .defaults import (build_defaults, default_essentiality, default_import_dependence, derive_essentiality,
                       divisions_of_io_sector, io_sectors_of_division, read_concordance)
from .iomath import (backward_linkages, calc_A, calc_B, calc_ghosh, calc_L, forward_linkages,
                     hypothetical_extraction, import_dependence, key_sectors, output_multipliers)
from .reader import IOTableError
from .summary import sector_summary
from .table import IOTable, read_io_table

__all__ = ["IOTable", "IOTableError", "read_io_table", "calc_A", "calc_B", "calc_L", "calc_ghosh",
           "output_multipliers", "backward_linkages", "forward_linkages", "key_sectors", "import_dependence",
           "hypothetical_extraction", "sector_summary", "read_concordance", "io_sectors_of_division",
           "divisions_of_io_sector", "derive_essentiality", "build_defaults", "default_essentiality",
           "default_import_dependence"]
