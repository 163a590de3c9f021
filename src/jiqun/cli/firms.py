"""``jiqun firms``: leading firms, MIIT tier candidates, near misses and growth ladders (梯度培育)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pandas as pd
import typer

from ..display import format_value
from .base import app, check_output_file, console, db_option, db_path, emit_json, fail
from .chain_map import _on_store, _print

FORMATS = ("table", "xlsx", "json")


def _leaders(con, cluster_id, year, top, by_city=False):
    from ..firms.export import leaders_with_origin

    return leaders_with_origin(con, cluster_id, year, top, by_city)


def _show(view: str, frame: pd.DataFrame, rows: int, year: int, by_city: bool = False) -> None:
    if frame.empty:
        console.print(f"{view}: 无记录 none in {year}")
        return
    for cluster_id, group in frame.groupby("cluster_id", sort=True):
        group = group if by_city else group.head(rows)  # by city: ``top`` per city already
        if view == "ladder":
            shown = pd.DataFrame({"企业": group.name, "城市": group.city_code,
                                  "上一年": group.tier_before_zh, "本年": group.tier_zh})
        elif view == "leaders":
            shown = pd.DataFrame({"城市": group.city_code, "排名": group["rank"].astype(str), "企业": group.name,
                                  "控制来源": group.origin_zh,
                                  "占产值": [format_value(v, "ratio") for v in group.output_share],
                                  "省内采购": [format_value(v, "ratio") for v in group.local_purchase_share],
                                  "供应商带动": [format_value(v, "ratio") for v in group.local_supplier_pull],
                                  "中心度排名": [("—" if v is None or v != v else str(int(v)))
                                            for v in group.get("pagerank_rank", [None] * len(group))]})
        else:
            shown = pd.DataFrame({"企业": group.name, "城市": group.city_code, "梯度": group.tier_zh,
                                  "判定": group.state_zh, "满足/未满足/待核实": [
                                      f"{a}/{b}/{c}" for a, b, c in zip(group.n_met, group.n_missed, group.n_open)],
                                  "未满足": group.missed.replace("", "—")})
        _print(shown, f"{ {'candidates': '梯度候选', 'close': '差一项', 'ladder': '晋级', 'leaders': '龙头企业'}[view]} "
                      f"{cluster_id} · {year}")


@app.command("firms")
def firms_command(
    view: str = typer.Option("candidates", "--view", help="candidates (MIIT tier candidates), close (one "
                             "requirement short of the next tier), ladder (moved up a tier since the year before), "
                             "leaders (leading firms and where they are controlled from) or criteria (the rules)."),
    cluster: Optional[str] = typer.Option(None, "--cluster", help="Cluster id or name (default: all)."),
    year: Optional[str] = typer.Option(None, "--year", help="A year with firm accounts (default: the latest)."),
    top: int = typer.Option(10, "--top", help="Leading firms per cluster; rows shown per cluster in the table view."),
    by_city: bool = typer.Option(False, "--by-city", help="Leaders of each city's part of the cluster (ranks and "
                                 "shares within the city)."),
    fmt: str = typer.Option("table", "--format", help="table, xlsx (every view, criteria checked, sources) or json "
                            "(records of the view; printed when --out is not given)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output file (xlsx default: firms.xlsx)."),
    db: Optional[str] = db_option(),
) -> None:
    """Leading firms and local champions: candidates for MIIT's tiers (创新型中小企业, 专精特新, 小巨人,
    单项冠军) and hidden champions with every criterion met, missed or not assessable and the data behind
    it; firms one requirement short; firms that moved up. 企业梯度培育名单。"""
    from ..firms.export import VIEWS
    from ..firms.candidates import firm_tiers
    from ..firms.export import firm_records, write_firm_workbook
    from ..firms.tiers import load_criteria
    from ..names import resolve_cluster, resolve_year

    if view not in VIEWS:
        fail(f"--view must be one of {', '.join(VIEWS)}, not {view!r}", 2)
    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)} 输出格式无效", 2)
    if top < 1:
        fail(f"--top must be a positive number of rows, not {top}", 2)
    check_output_file(out)

    def compute(con):
        cluster_id = resolve_cluster(con, cluster) if cluster else None
        chosen = resolve_year(con, year if year is not None else "latest")
        wants_lists = view in ("candidates", "close", "ladder") or fmt == "xlsx"
        lists = firm_tiers(con, chosen, cluster_id) if wants_lists else None
        leaders = _leaders(con, cluster_id, chosen, top, by_city) if view == "leaders" or fmt == "xlsx" else None
        return lists, leaders, chosen

    lists, leaders, chosen = _on_store(db, compute)
    criteria = load_criteria()
    if fmt == "json":
        emit_json(firm_records(lists, view, leaders, criteria), out, view)
        return
    if fmt == "xlsx":
        target = out or Path("firms.xlsx")
        write_firm_workbook(target, lists, leaders, criteria, db_path(db))
        console.print(f"wrote {len(lists.candidates):,} candidates, {len(lists.close):,} near misses to {target} 已写出")
        return
    if view == "criteria":
        _print(criteria[["tier", "requirement", "criterion", "name_zh", "op", "threshold", "source", "verified"]]
               .astype(str), "梯度认定标准 tier criteria")
        return
    frame = {"candidates": lists.candidates if lists else None, "close": lists.close if lists else None,
             "ladder": lists.ladder if lists else None, "leaders": leaders}[view]
    _show(view, frame, top, chosen, by_city and view == "leaders")
