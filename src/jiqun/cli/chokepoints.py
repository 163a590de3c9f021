"""``jiqun chokepoints``: the chokepoint-technology inventory (卡脖子技术攻关清单)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import pandas as pd
import typer

from ..display import format_value
from .base import app, check_output_file, console, db_option, db_path, fail
from .chain_map import _on_store, _print

FORMATS = ("table", "xlsx", "json")


def _world_table(path: Optional[Path]):
    if path is None:
        return None
    if not path.exists():
        fail(f"--world {path}: no such file — give a BACI CSV (t,i,j,k,v,q) or leave it out", 2)
    try:
        return pd.read_csv(path, dtype={"k": str}, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        fail(f"--world {path}: cannot be read as a UTF-8 CSV ({str(exc).splitlines()[0]})", 2)


def _print_inventory(items: pd.DataFrame, rows: int) -> None:
    for cluster_id, group in items.groupby("cluster_id", sort=True):
        group = group.head(rows)
        _print(pd.DataFrame({
            "优先 rank": group.priority.astype(str),
            "环节/产品": group.name_zh.astype(str) + "\n" + group.hs6.astype(str),
            "类别 class": group.class_zh.astype(str),
            "进口占比": [format_value(v, "ratio") for v in group.import_share],
            "第一来源": group.top_origin.fillna("—").astype(str) + " " +
                        pd.Series([format_value(v, "ratio") for v in group.top_origin_share], index=group.index),
            "省内专利": group.n_region_patents.map(lambda v: "—" if pd.isna(v) else f"{int(v):,}"),
            "窗口期 years": [("—" if pd.isna(v) else f"{v:.0f}") for v in group.window_years],
            "依据 rule": group.rule_text.str.slice(0, 90),
        }), f"卡脖子清单 {cluster_id} · {int(group.year.iloc[0])}")


@app.command("chokepoints")
def chokepoints_command(
    cluster: Optional[List[str]] = typer.Option(None, "--cluster", help="Cluster id or name (repeat for several; "
                                                "default: all 14)."),
    year: Optional[int] = typer.Option(None, "--year", help="A year with purchases (default: the latest)."),
    criteria: str = typer.Option("geodep", "--criteria", help="Dependency criteria: geodep, eu2021 or a YAML file."),
    classes: Optional[Path] = typer.Option(None, "--classes", help="Class, window and priority rules (YAML; default "
                                           "the shipped chokepoints/data/classes.yaml)."),
    world: Optional[Path] = typer.Option(None, "--world", help="World trade in BACI layout (CSV t,i,j,k,v,q) for "
                                         "world export concentration; without it those criteria are not assessable."),
    top: int = typer.Option(10, "--top", help="Rows shown per cluster in the table view."),
    fmt: str = typer.Option("table", "--format", help="table, xlsx (one sheet per cluster, evidence columns) or json "
                            "(one record per item; printed when --out is not given)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output file (xlsx default: chokepoints.xlsx)."),
    db: Optional[str] = db_option(),
) -> None:
    """The chokepoint-technology inventory: each cluster's imported key products in three classes
    (完全受制于国外 / 与国际先进有差距 / 已有研发基础), with the rule and evidence that placed each, the
    breakthrough window and the priority. 卡脖子技术攻关清单。"""
    from ..chokepoints.inventory import chokepoint_inventory

    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)} 输出格式无效", 2)
    if top < 1:
        fail(f"--top must be a positive number of rows, not {top}", 2)
    check_output_file(out)
    world_table = _world_table(world)

    def compute(con):
        items = chokepoint_inventory(con, cluster or None, year, criteria, str(classes) if classes else None,
                                     world_table)
        names = dict(con.table("clusters").select("cluster_id", "name_zh").to_pandas().values.tolist())
        return items, names

    items, names = _on_store(db, compute)
    if fmt == "json":
        from ..chokepoints.export import write_inventory_json

        text = write_inventory_json(items, out)
        if out is None:
            sys.stdout.write(text + "\n")
        else:
            console.print(f"wrote {len(items):,} items to {out} 已写出")
        return
    if items.empty:
        console.print("卡脖子清单为空: no product meets the screen-in rule (import share ≥ 30 % or dependent)")
        return
    if fmt == "table":
        _print_inventory(items, top)
        return
    from ..chokepoints.export import write_inventory_workbook

    notes = [f"年份 year: {int(items.year.iloc[0])}; 依赖标准 criteria: {items.criteria_set.iloc[0]}; "
             f"世界贸易 world trade: {world or '未提供 not given (全球出口集中度缺失)'}"]
    target = out or Path("chokepoints.xlsx")
    write_inventory_workbook(items, target, notes, names, db_path(db))
    console.print(f"wrote {len(items):,} items to {target} 已写出")
