"""Commands of ``jiqun chain`` (registered on :data:`jiqun.cli.chain.chain_app`): network."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pandas as pd
import typer

from .base import check_output_file, console, db_option, db_path, fail
from .chain import chain_app
from .chain_map import _on_store, _print
from .chain_shock import _share, _yi

NETWORK_FORMATS = ("table", "csv", "xlsx", "json")


def _print_network(report, rows: int) -> None:
    summary = report.tables["summary"].iloc[0]
    console.print(f"[bold]企业网络 firm network[/bold] {report.cluster_id} · {report.year} · "
                  f"{summary.n_nodes:,} 节点 nodes · {summary.n_links:,} 关系 links · "
                  f"{summary.n_communities:,} 社群 communities (模块度 modularity {summary.modularity:.3f}) · "
                  f"中介中心性 betweenness {summary.betweenness_method}")
    firms = report.tables["key_firms"].head(rows)
    _print(pd.DataFrame({"排名 rank": firms["rank"].astype(str),
                         "企业 firm": firms.name.astype(str) + "\n" + firms.node.astype(str),
                         "城市 city": firms.city_code.fillna("境外 abroad").astype(str),
                         "供应商PageRank": [f"{v:.4f}" for v in firms.pagerank_supplier],
                         "客户PageRank": [f"{v:.4f}" for v in firms.pagerank_customer],
                         "中介 betweenness": [f"{v:.4f}" for v in firms.betweenness],
                         "销售 sales 亿元": [_yi(v) for v in firms.sales_yuan],
                         "社群 community": firms.community.astype(str)}), "关键企业 key firms")
    groups = report.tables["communities"].head(rows)
    _print(pd.DataFrame({"社群 community": groups.community.astype(str), "节点 nodes": groups.n_nodes.astype(str),
                         "省内企业 firms": groups.n_province_firms.astype(str),
                         "主要城市 city": groups.main_city.fillna("—").astype(str),
                         "最大企业 largest": groups.largest_firm.astype(str),
                         "内部交易 internal": [_share(v) for v in groups.internal_share]}), "企业社群 communities")
    leaders = report.tables["leaders"]
    _print(pd.DataFrame({"龙头企业 leader": leaders.name.astype(str), "城市 city": leaders.city_code.astype(str),
                         "供应商 suppliers": leaders.n_suppliers.astype(str),
                         "采购 亿元": [_yi(v) for v in leaders.purchases_yuan],
                         "同城 same city": [_share(v) for v in leaders.share_same_city],
                         "省内 province": [_share(v) for v in leaders.local_supporting_rate_province],
                         "进口 abroad": [_share(v) for v in leaders.share_abroad],
                         "第一供应商 top": leaders.top_supplier.fillna("—").astype(str) + " " +
                         pd.Series([_share(v) for v in leaders.top_supplier_share], index=leaders.index)}),
           "龙头企业供应基础 leaders' supplier base")
    bridges = report.tables["bridges"].head(rows)
    if bridges.empty:
        console.print("桥接企业 bridging firms: none — the cluster's province firms trade with no firm of another "
                      "cluster (无跨集群交易的省内企业)")
        return
    _print(pd.DataFrame({"企业 firm": bridges.name.astype(str) + "\n" + bridges.node.astype(str),
                         "所属 own": bridges.own_clusters.replace("", "—"),
                         "连接 linked": bridges.linked_clusters.str.replace(";", "\n"),
                         "跨集群交易 亿元": [_yi(v) for v in bridges.other_cluster_flow_yuan],
                         "占比 share": [_share(v) for v in bridges.other_cluster_share]}),
           f"桥接企业 bridging firms ({summary.n_bridges:,} in all)")


@chain_app.command("network")
def chain_network_command(
    cluster: str = typer.Option(..., "--cluster", help="Cluster id or name (iot, 物联网; `jiqun clusters`)."),
    year: Optional[str] = typer.Option(None, "--year", help="A year with transactions (default: the latest)."),
    top: int = typer.Option(20, "--top", help="Rows of the key-firm, community and bridge tables."),
    leaders: int = typer.Option(10, "--leaders", help="How many of the cluster's largest firms (by output) "
                                "have their supplier base shown."),
    resolution: float = typer.Option(1.0, "--resolution", help="Leiden resolution: above 1 gives more, smaller "
                                     "communities."),
    seed: int = typer.Option(0, "--seed", help="Random seed of Leiden and of sampled betweenness (same seed, same result)."),
    fmt: str = typer.Option("table", "--format", help="table, csv (one UTF-8 file with BOM per table: "
                            "<out>_key_firms.csv …), xlsx (one sheet per table) or json."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output file (default: network_<cluster>.<format>)."),
    db: Optional[str] = db_option(),
) -> None:
    """A cluster's firm network: key firms (PageRank, betweenness), communities (Leiden), the leaders'
    supplier bases and the firms that bridge clusters. 企业网络分析。"""
    from ..chains.simulation import cluster_firm_network

    if fmt not in NETWORK_FORMATS:
        fail(f"--format must be one of {', '.join(NETWORK_FORMATS)} 输出格式无效", 2)
    for value, what in ((top, "--top"), (leaders, "--leaders")):
        if value < 1:
            fail(f"{what} must be a positive number of rows, not {value}", 2)
    check_output_file(out)
    report = _on_store(db, lambda con: cluster_firm_network(con, cluster, year, top, leaders, resolution, seed))
    if fmt == "table":
        _print_network(report, top)
        return
    from ..chains.export import write_network

    written = write_network(report, fmt, out or Path(f"network_{report.cluster_id}.{fmt}"), db_path(db))
    console.print(f"wrote {', '.join(str(path) for path in written)} 已写出")
