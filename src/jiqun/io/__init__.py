"""Input–output analysis (投入产出分析): read NBS-layout tables, Leontief and Ghosh models, linkages,
import dependence and the concordance from IO sectors to GB/T 4754 divisions."""
