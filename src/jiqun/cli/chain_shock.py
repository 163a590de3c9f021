"""Commands of ``jiqun chain`` (registered on :data:`jiqun.cli.chain.chain_app`): shock, esri."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import pandas as pd
import typer

from ..display import format_value
from .base import check_output_file, console, db_option, db_path, fail
from .chain import chain_app
from .chain_map import _on_store, _print

SHOCK_FORMATS = ("table", "xlsx", "json")
ESRI_FORMATS = ("table", "csv", "xlsx", "json")
SCOPE_HELP = ("cluster (default: the cluster's firms and their direct partners) or province (the whole firm "
              "network of the year; slower).")
ESSENTIALITY_HELP = ("Which inputs a firm cannot produce without: default (derived from the national IO table), "
                     "linear, leontief, or a CSV matrix of 0/1/2 by GB/T 4754 division (docs/shocks.md).")


def _yi(value) -> str:
    return format_value(value, "yuan")


def _share(value) -> str:
    return format_value(value, "ratio")


def _at_risk_display(frame: pd.DataFrame, key: str, label: str, rows: int) -> pd.DataFrame:
    frame = frame.head(rows)
    return pd.DataFrame({label: frame[key].astype(str), "企业 firms": frame.n_firms.astype(str),
                         "产值 output 亿元": [_yi(v) for v in frame.output_yuan],
                         "受影响 at risk 亿元": [_yi(v) for v in frame.output_at_risk_yuan],
                         "占比 share": [_share(v) for v in frame.output_at_risk_share]})


def _print_shock(run, rows: int) -> None:
    summary = run.tables["summary"].iloc[0]
    console.print(f"[bold]冲击模拟 shock[/bold] {run.cluster_id} · {run.year} · {run.scope} · "
                  f"情景 {summary.scenario} · ψ = {summary.share:g} · 投入重要性 {run.essentiality}")
    console.print(f"ESRI {summary.esri:.4f} (下游 down {summary.esri_down:.4f}, 上游 up {summary.esri_up:.4f}) · "
                  f"受影响产值 output at risk {_yi(summary.output_at_risk_yuan)} 亿元 "
                  f"({_share(summary.output_at_risk_share)} of {_yi(summary.output_yuan)} 亿元) · "
                  f"直接冲击 {summary.firms_shocked:,} · 受波及 hit {summary.firms_hit:,} of {summary.n_nodes:,} nodes")
    _print(_at_risk_display(run.tables["by_segment"], "node_id", "环节 segment", rows), "按环节 by segment")
    _print(_at_risk_display(run.tables["by_city"], "city_code", "城市 city", rows), "按城市 by city")
    _print(_at_risk_display(run.tables["by_cluster"], "cluster_id", "集群 cluster", rows), "按集群 by cluster")
    hit = run.tables["hardest_hit"].head(rows)
    _print(pd.DataFrame({"企业 firm": hit.name.astype(str) + "\n" + hit.uscc.astype(str),
                         "城市 city": hit.city_code.astype(str), "环节 segment": hit.node_id.fillna("").astype(str),
                         "损失 loss": [_share(v) for v in hit.loss],
                         "受影响 at risk 亿元": [_yi(v) for v in hit.output_at_risk_yuan]}), "受冲击最大企业 hardest hit")
    alt = run.tables["alternatives"].head(rows)
    _print(pd.DataFrame({"中断供应商 lost": alt.lost_name.astype(str),
                         "中断额 lost 亿元": [_yi(v) for v in alt.lost_sales_yuan],
                         "替代 alternative": alt.name.astype(str) + "\n" + alt.uscc.astype(str),
                         "匹配 match": alt.match, "区位 where": alt.location, "产能 capacity": alt.capacity,
                         "产值 output 亿元": [_yi(v) for v in alt.output_yuan]}), "替代供应商 alternative suppliers")


@chain_app.command("shock")
def chain_shock_command(
    cluster: str = typer.Option(..., "--cluster", help="Cluster id or name (iot, 物联网; `jiqun clusters`)."),
    remove: List[str] = typer.Option(..., "--remove", help="What fails: firm:USCC[,USCC…], segment:NODE_ID, "
                                     "city:CODE (or name), country:ISO3. Repeat for a combined shock."),
    share: float = typer.Option(1.0, "--share", help="Share of the removed nodes' production lost, in (0, 1]."),
    year: Optional[str] = typer.Option(None, "--year", help="A year with transactions (default: the latest)."),
    scope: str = typer.Option("cluster", "--scope", help=SCOPE_HELP),
    essentiality: str = typer.Option("default", "--essentiality", help=ESSENTIALITY_HELP),
    rows: int = typer.Option(10, "--top", help="Rows shown per table (the files hold 20 hardest-hit firms)."),
    fmt: str = typer.Option("table", "--format", help="table, xlsx (one sheet per table) or json."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output file (default: shock_<cluster>.<format>)."),
    db: Optional[str] = db_option(),
) -> None:
    """Simulate a shock (Diem et al. 2022 cascade): ESRI, output at risk by segment, city and cluster,
    the firms hit hardest and alternative suppliers. 冲击模拟。"""
    from ..chains.simulation import shock_scenario

    if fmt not in SHOCK_FORMATS:
        fail(f"--format must be one of {', '.join(SHOCK_FORMATS)} 输出格式无效", 2)
    if rows < 1:
        fail(f"--top must be a positive number of rows, not {rows}", 2)
    check_output_file(out)
    run = _on_store(db, lambda con: shock_scenario(con, cluster, remove, share, year, essentiality, scope,
                                                   top=max(rows, 20)))
    if fmt == "table":
        _print_shock(run, rows)
        return
    from ..chains.export import write_json, write_shock_workbook

    target = out or Path(f"shock_{run.cluster_id}.{fmt}")
    if fmt == "json":
        write_json(run.tables, target)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_shock_workbook(run, target, db_path(db))
    console.print(f"wrote {target} 已写出")


@chain_app.command("esri")
def chain_esri_command(
    cluster: str = typer.Option(..., "--cluster", help="Cluster id or name (iot, 物联网; `jiqun clusters`)."),
    top: int = typer.Option(50, "--top", help="How many suppliers to list."),
    candidates: int = typer.Option(1000, "--candidates", help="How many of the cluster's largest suppliers (by "
                                   "sales to its firms) are scored, each failing alone."),
    year: Optional[str] = typer.Option(None, "--year", help="A year with transactions (default: the latest)."),
    scope: str = typer.Option("cluster", "--scope", help=SCOPE_HELP),
    essentiality: str = typer.Option("default", "--essentiality", help=ESSENTIALITY_HELP),
    fmt: str = typer.Option("table", "--format", help="table, csv (UTF-8 with BOM), xlsx or json."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output file (default: esri_<cluster>.<format>)."),
    db: Optional[str] = db_option(),
) -> None:
    """The systemically most important suppliers of a cluster, by ESRI (each supplier failing alone).
    系统重要性供应商排名。"""
    from ..chains.simulation import cluster_esri

    if fmt not in ESRI_FORMATS:
        fail(f"--format must be one of {', '.join(ESRI_FORMATS)} 输出格式无效", 2)
    check_output_file(out)
    ranking = _on_store(db, lambda con: cluster_esri(con, cluster, year, top, candidates, essentiality, scope))
    if fmt == "table":
        frame = ranking.ranking
        _print(pd.DataFrame({"排名 rank": frame["rank"].astype(str),
                             "供应商 supplier": frame.name.astype(str) + "\n" + frame.uscc.astype(str),
                             "城市 city": frame.city_code.fillna("境外 abroad").astype(str),
                             "环节 segment": frame.node_id.fillna("").astype(str),
                             "对集群销售 亿元": [_yi(v) for v in frame.sales_to_cluster_yuan],
                             "ESRI": [f"{v:.4f}" for v in frame.esri], "下游 down": [f"{v:.4f}" for v in frame.esri_down],
                             "上游 up": [f"{v:.4f}" for v in frame.esri_up]}),
               f"系统重要性供应商 systemic suppliers {ranking.cluster_id} · {ranking.year} · {ranking.scope} · "
               f"{ranking.candidates:,} scored of {ranking.n_nodes:,} nodes")
        return
    from ..chains.export import write_esri

    target = out or Path(f"esri_{ranking.cluster_id}.{fmt}")
    write_esri(ranking, fmt, target, db_path(db))
    console.print(f"wrote {len(ranking.ranking):,} suppliers to {target} 已写出")
