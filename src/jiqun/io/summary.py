"""One table per sector for reports and the CLI (``jiqun io summary``): a pure function of an IOTable."""

from __future__ import annotations

import pandas as pd

#: Column → Chinese label (for xlsx/table output).
SUMMARY_LABELS = {
    "sector": "部门代码", "name_zh": "部门名称", "x": "总产出", "output_multiplier": "产出乘数",
    "backward": "影响力系数", "forward": "感应度系数", "key": "关键部门", "kind": "部门类型",
    "direct_share": "直接进口依存度", "total_per_output": "完全进口含量",
}


def sector_summary(table, domestic: bool = False) -> pd.DataFrame:
    """Per sector: code, Chinese name, gross output, output multiplier (column sum of L or L_domestic),
    backward and forward (Leontief row sums) linkages, key-sector flag and kind, and, when the table has
    imports, direct import share of inputs and total import content (``u A_m L_d``)."""
    L = table.leontief(domestic)
    frame = pd.DataFrame({"sector": table.sectors, "name_zh": table.names["name_zh"].reindex(table.sectors).values,
                          "x": table.x.values, "output_multiplier": L.sum(axis=0).values})
    keys = table.key_sectors(domestic).reset_index(drop=True)
    frame = pd.concat([frame, keys], axis=1)
    if table.Z_imported is not None or table.Z_domestic is not None:
        dependence = table.import_dependence().reset_index(drop=True)
        frame["direct_share"] = dependence["direct_share"]
        frame["total_per_output"] = dependence["total_per_output"]
    return frame
